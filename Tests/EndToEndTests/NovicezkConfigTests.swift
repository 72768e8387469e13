import DiscordKit
import Foundation
import Logging
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// A novicezk midjourney-proxy `application.yml` is read as it is: the docs sample maps onto
/// mjproxy's keys with a warning per unsupported key, and such a file starts a proxy that serves
/// an imagine against a sandbox.
@Suite struct NovicezkConfigTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/novicezk-application.yml").path

    @Test func docsSampleMapsOntoMjproxyKeys() throws {
        let c = try ConfigLoader.load(path: Self.sample, environment: [:])
        #expect(c.port == 8080)
        #expect(c.apiSecret == "change-me")
        #expect(c.webhookURL == "https://example.com/mj/notify")
        #expect(c.translateWay == "baidu")
        #expect(c.baiduAppId == "20230101000000000")
        #expect(c.baiduAppSecret == "your-baidu-secret")
        #expect(c.openaiBaseURL == "https://api.openai.com/v1")
        #expect(c.openaiAPIKey == "sk-your-key")
        #expect(c.discordProxy == "http://127.0.0.1:7890")
        #expect(c.discord.apiBase == "https://discord.com/api/v9")
        #expect(c.discord.gatewayURL == "wss://gateway.discord.gg")
        let a = try #require(c.accounts.first)
        #expect(c.accounts.count == 1)
        #expect(a.id == "1117467921216708640")
        #expect(a.guildId == "1117467920759521341")
        #expect(a.userToken == "your-user-token")
        #expect(a.coreSize == 3 && a.queueSize == 10 && a.timeoutMinutes == 5 && a.enabled)
        #expect(!c.sandboxEnabled)
        let unsupported = ["mj.notify-pool-size", "mj.openai.timeout", "mj.task-store.type", "mj.task-store.timeout"]
        for key in unsupported {
            #expect(c.warnings.contains { $0.contains("novicezk key \(key) is not supported") }, "warning for \(key)")
        }
        #expect(c.warnings.count == unsupported.count, "one warning per unsupported key: \(c.warnings)")
    }

    @Test func novicezkFileStartsTheProxy() async throws {
        let server = SandboxServer(configuration: SandboxConfiguration(port: 0, gatewayPort: 0, speedFactor: 0.02, tileSize: 64))
        try await server.serve { server in
            _ = try await withDeadline("the sandbox to listen") { try? await server.waitUntilListening() }
            let rest = try #require(server.localBaseURL)
            let wss = try #require(server.gatewayURL)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-novicezk-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let file = dir.appendingPathComponent("application.yml").path
            let yaml = """
                server:
                  port: 0
                mj:
                  api-secret: novicezk-secret
                  translate-way: NULL
                  task-store:
                    type: in_memory
                  ng-discord:
                    server: \(rest)
                    cdn: \(rest)
                    wss: \(wss)
                  accounts:
                    - guild-id: \(SandboxIDs.guildId)
                      channel-id: \(SandboxIDs.channelId(1))
                      user-token: sandbox-novicezk-token
                      core-size: 2
                      queue-size: 5
                store:
                  path: \(dir.appendingPathComponent("store.sqlite").path)
                """
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            let config = try ConfigLoader.load(path: file, environment: [:])
            #expect(!config.sandboxEnabled, "a configured account: no built-in sandbox")
            #expect(config.warnings.count == 1, "task-store.type: \(config.warnings)")
            try await TestProxy.with(config) { proxy in
                let answer = try await proxy.post(
                    "/mj/submit/imagine", #"{"prompt":"a novicezk cat"}"#, headers: [("mj-api-secret", "novicezk-secret")])
                #expect(answer["code"] == 1)
                let id = try #require(answer["result"]?.stringValue)
                let done = try await eventually("the imagine to finish") { () -> [String: String]? in
                    let t = try await proxy.get("/mj/task/\(id)/fetch", headers: [("mj-api-secret", "novicezk-secret")])
                    guard let status = t["status"]?.stringValue, ["SUCCESS", "FAILURE"].contains(status) else { return Optional.none }
                    return ["status": status, "instance": t["properties"]?["discordInstanceId"]?.stringValue ?? ""]
                }
                #expect(done["status"] == "SUCCESS")
                #expect(done["instance"] == SandboxIDs.channelId(1))
            }
        }
    }
}
