import DiscordKit
import Foundation
import NIOHTTP1
import Sandbox
import Testing

@testable import MJProxy

/// The account routes that act on the bots (contract §6): change-mode, change-remix, change-version,
/// action, sync-info and verified, through HTTP with the admin secret; the view follows the bot.
@Suite struct AccountBotRoutesTests {
    static let admin = [("mj-admin-secret", "bot-routes-admin")]

    @Test func settingsRoutesChangeWhatTheBotConfirms() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.adminSecret = "bot-routes-admin"
        }
        try await TestProxy.with(config) { proxy in
            let id = SandboxIDs.channelId(1)
            let base = "/mj/account/\(id)"
            // Without the admin secret: refused.
            #expect(try await proxy.request(.POST, base + "/change-mode", body: #"{"botType":"MID_JOURNEY","mode":"RELAX"}"#).status == 401)

            let mode = try await proxy.post(base + "/change-mode", #"{"botType":"MID_JOURNEY","mode":"RELAX"}"#, headers: Self.admin)
            #expect(mode["code"] == 1, "\(mode.compactString)")
            #expect(mode["result"]?.stringValue == id)
            let remix = try await proxy.post(base + "/change-remix", #"{"botType":"MID_JOURNEY","remix":true}"#, headers: Self.admin)
            #expect(remix["code"] == 1, "\(remix.compactString)")
            let version = try await proxy.post(base + "/change-version?version=7&botType=MID_JOURNEY", "", headers: Self.admin)
            #expect(version["code"] == 1, "\(version.compactString)")
            var view = try await proxy.get(base + "/fetch", headers: Self.admin)
            #expect(view["mode"]?.stringValue == "RELAX", "\(view.compactString)")
            #expect(view["mjRemix"] == .bool(true))
            #expect(view["version"]?.stringValue == "7")

            // A settings button, then /info + /settings again.
            let pressed = try await proxy.post(base + "/action?customId=MJ::Settings::FastMode&botType=MID_JOURNEY", "", headers: Self.admin)
            #expect(pressed["code"] == 1, "\(pressed.compactString)")
            let synced = try await proxy.post(base + "/sync-info", "", headers: Self.admin)
            #expect(synced["code"] == 1, "\(synced.compactString)")
            view = try await proxy.get(base + "/fetch", headers: Self.admin)
            #expect(view["mode"]?.stringValue == "FAST")

            // Bad input gets code 4; an unknown account 404 (V41).
            let badMode = try await proxy.post(base + "/change-mode", #"{"botType":"MID_JOURNEY","mode":"WARP"}"#, headers: Self.admin)
            #expect(badMode["code"] == 4)
            let unknownVersion = try await proxy.post(base + "/change-version?version=99&botType=MID_JOURNEY", "", headers: Self.admin)
            #expect(unknownVersion["code"] != 1)
            #expect(try await proxy.request(.POST, "/mj/account/nope/sync-info", body: "", headers: Self.admin).status == 404)

            // verified on an account that is not paused changes nothing and says so without failing.
            let verified = try await proxy.request(.POST, base + "/verified", body: "", headers: Self.admin)
            #expect(verified.status == 200)
        }
    }
}
