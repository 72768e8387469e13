import DiscordKit
import Foundation
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Discord traffic through an outbound proxy: an account's REST calls and its gateway WebSocket
/// go through a local HTTP CONNECT or SOCKS5 proxy, which counts the tunnels it opened.
@Suite("Outbound proxy for Discord")
struct DiscordProxyTests {
    /// Runs one imagine on the account `id` and expects SUCCESS.
    func imagineOn(_ proxy: TestProxy, account id: String, _ prompt: String) async throws {
        let answer = try await proxy.post("/mj/submit/imagine", #"{"prompt":"\#(prompt)","accountFilter":{"instanceId":"\#(id)"}}"#)
        let taskId = try #require(answer["result"]?.stringValue, "refused: \(answer.compactString)")
        let task = try await proxy.waitFinished(taskId).task
        #expect(task["status"]?.stringValue == "SUCCESS", "\(task["failReason"]?.stringValue ?? "")")
    }

    /// The sandbox's REST and gateway ports.
    func sandboxPorts(_ proxy: TestProxy) throws -> (rest: Int, gateway: Int) {
        let rest = try #require(proxy.runtime.sandbox?.localBaseURL.flatMap { URL(string: $0)?.port })
        let gateway = try #require(proxy.runtime.sandbox?.gatewayURL.flatMap { URL(string: $0)?.port })
        return (rest, gateway)
    }

    @Test func anAccountWithItsOwnHTTPConnectProxyRunsAnImagineThroughIt() async throws {
        try await TunnelProxy.with(.httpConnect(credentials: "user:s3cret")) { tunnel, port in
            let config = TestProxy.config { $0.sandbox.accounts = 1 }
            try await TestProxy.with(config) { proxy in
                let base = proxy.runtime.sandbox?.localBaseURL
                let id = SandboxIDs.channelId(5)
                try await proxy.runtime.addAccount(
                    AccountConfig(
                        guildId: SandboxIDs.guildId, channelId: id, userToken: TestProxy.token(5), proxy: "http://user:s3cret@127.0.0.1:\(port)"),
                    sandboxBase: base)
                try await eventually("the proxied account to connect") { () -> Bool? in
                    await proxy.runtime.pool.account(id: id)?.isAvailable == true ? true : nil
                }
                try await imagineOn(proxy, account: id, "through a connect proxy")
                let (rest, gateway) = try sandboxPorts(proxy)
                let targets = tunnel.opened.value
                #expect(targets.contains { $0.hasSuffix(":\(gateway)") }, "gateway tunnel in \(targets)")
                #expect(targets.contains { $0.hasSuffix(":\(rest)") }, "REST tunnel in \(targets)")
                #expect(tunnel.refused.value == 0)
                // The direct account opened no tunnel: every tunnel goes to the sandbox, and there are few (pooled).
                #expect(targets.allSatisfy { $0.hasSuffix(":\(gateway)") || $0.hasSuffix(":\(rest)") })
            }
        }
    }

    @Test func wrongProxyCredentialsKeepTheAccountOffline() async throws {
        try await TunnelProxy.with(.httpConnect(credentials: "user:right")) { tunnel, port in
            let config = TestProxy.config { $0.sandbox.accounts = 1 }
            try await TestProxy.with(config) { proxy in
                let id = SandboxIDs.channelId(6)
                try await proxy.runtime.addAccount(
                    AccountConfig(guildId: SandboxIDs.guildId, channelId: id, userToken: TestProxy.token(6), proxy: "http://user:wrong@127.0.0.1:\(port)"),
                    sandboxBase: proxy.runtime.sandbox?.localBaseURL)
                try await eventually("the proxy to refuse") { tunnel.refused.value > 0 ? true : nil }
                #expect(tunnel.tunnels == 0)
                #expect(await proxy.runtime.pool.account(id: id)?.isAvailable == false)
            }
        }
    }

    @Test func theGlobalSOCKS5ProxyCarriesEveryAccount() async throws {
        try await TunnelProxy.with(.socks5) { tunnel, port in
            let config = TestProxy.config {
                $0.sandbox.accounts = 2
                $0.discordProxy = "socks5://127.0.0.1:\(port)"
            }
            try await TestProxy.with(config) { proxy in
                try await eventually("both accounts to connect") { () -> Bool? in
                    var up = 0
                    for a in await proxy.runtime.pool.all where await a.isAvailable { up += 1 }
                    return up == 2 ? true : nil
                }
                try await imagineOn(proxy, account: SandboxIDs.channelId(1), "through socks one")
                try await imagineOn(proxy, account: SandboxIDs.channelId(2), "through socks two")
                let (rest, gateway) = try sandboxPorts(proxy)
                let targets = tunnel.opened.value
                // Two gateway sessions (one per account) and REST, all through the proxy.
                #expect(targets.filter { $0.hasSuffix(":\(gateway)") }.count >= 2, "\(targets)")
                #expect(targets.contains { $0.hasSuffix(":\(rest)") }, "\(targets)")
            }
        }
    }

    @Test func proxySettingsAreValidatedByKey() throws {
        let bad = "accounts:\n  - guildId: \"1172000000000000001\"\n    channelId: \"1172000000000000002\"\n    userToken: t\n    proxy: ftp://x:1\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-proxy-\(UUID().uuidString).yaml").path
        try bad.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: (any Error).self) { try ConfigLoader.load(path: path, environment: [:]) }
        do {
            _ = try ConfigLoader.load(path: path, environment: [:])
        } catch {
            #expect("\(error)".contains("accounts[0].proxy"))
        }
        do {
            _ = try ConfigLoader.load(path: nil, environment: ["MJPROXY_DISCORD_PROXY": "socks5://u:p@h:1"])
            Issue.record("a SOCKS5 proxy with credentials was accepted")
        } catch {
            #expect("\(error)".contains("discord.proxy"))
        }
        let ok = try ConfigLoader.load(path: nil, environment: ["MJPROXY_DISCORD_PROXY": "http://127.0.0.1:3128", "MJPROXY_SCHEDULING_RULE": "round-robin"])
        #expect(ok.discordProxy == "http://127.0.0.1:3128")
        #expect(ok.schedulingRule == .roundRobin)
        #expect(throws: (any Error).self) { try ConfigLoader.load(path: nil, environment: ["MJPROXY_SCHEDULING_RULE": "fastest"]) }
    }
}
