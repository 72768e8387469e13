import DiscordKit
import Foundation
import NIOHTTP1
import Testing

@testable import MJProxy
@testable import Sandbox

/// `sandbox.privateChannels`: each sandbox account sees only its own channel, as with a VIEW_CHANNEL
/// overwrite on a real server; jobs still run on every account.
@Suite struct PrivateChannelsTests {
    @Test func eachAccountSeesOnlyItsOwnChannel() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 2
            $0.sandbox.privateChannels = true
        }
        try await TestProxy.with(config) { proxy in
            // Tasks on both accounts finish (least-busy choice spreads two at once over both).
            let ids = [try await proxy.imagine("private one"), try await proxy.imagine("private two")]
            for id in ids { #expect(try await proxy.waitFinished(id).task["status"]?.stringValue == "SUCCESS") }

            let sandbox = try #require(proxy.runtime.sandbox)
            let base = try #require(sandbox.localBaseURL)
            let second = SandboxIDs.channelId(2)
            // Another user's private channel: 403 Missing Access; the owner reads it.
            let refused = try await proxy.request(
                .GET, "\(base)/api/v9/channels/\(second)/messages?limit=5", headers: [("Authorization", SandboxIDs.accountToken(1))])
            #expect(refused.status == 403)
            #expect(try JSONValue.parse(refused.body)["code"]?.intValue == 50001)
            let owner = try await proxy.request(
                .GET, "\(base)/api/v9/channels/\(second)/messages?limit=5", headers: [("Authorization", SandboxIDs.accountToken(2))])
            #expect(owner.status == 200)
            // Interactions in another user's channel are refused the same way.
            let interaction = try await proxy.request(
                .POST, "\(base)/api/v9/interactions",
                body: #"{"type":2,"application_id":"\#(SandboxIDs.midjourney)","channel_id":"\#(second)","data":{}}"#,
                headers: [("Authorization", SandboxIDs.accountToken(1)), ("Content-Type", "application/json")])
            #expect(interaction.status == 403)

            // The guild lists the channel with the overwrites that hide it from everyone but its owner.
            let channels = try JSONValue.parse(
                try await proxy.request(
                    .GET, "\(base)/api/v9/guilds/\(SandboxIDs.guildId)/channels", headers: [("Authorization", SandboxIDs.accountToken(1))]
                ).body)
            let listed = try #require(channels.arrayValue?.first { $0["id"]?.stringValue == second })
            let overwrites = listed["permission_overwrites"]?.arrayValue ?? []
            #expect(overwrites.contains { $0["id"]?.stringValue == SandboxIDs.guildId && $0["deny"]?.stringValue == "1024" })
            #expect(overwrites.contains { $0["type"]?.intValue == 1 && $0["allow"]?.stringValue == "1024" })
        }
    }

    @Test func sharedChannelsByDefault() async throws {
        let world = SandboxWorld(configuration: SandboxConfiguration(channelCount: 3))
        let stranger = SandboxWorld.userId(forToken: "someone-else")
        #expect(await world.access(userId: stranger, channelId: SandboxIDs.channelId(2)) == .allowed)
        #expect(await world.access(userId: stranger, channelId: SandboxIDs.channelId(4)) == .unknown)
        let closed = SandboxWorld(configuration: SandboxConfiguration(channelCount: 3, privateChannels: true))
        #expect(await closed.access(userId: stranger, channelId: SandboxIDs.channelId(2)) == .hidden)
        let owner = SandboxWorld.userId(forToken: SandboxIDs.accountToken(2))
        #expect(await closed.access(userId: owner, channelId: SandboxIDs.channelId(2)) == .allowed)
    }
}
