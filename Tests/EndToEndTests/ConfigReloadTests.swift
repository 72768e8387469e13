import DiscordKit
import Foundation
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Live configuration: the config file changes while tasks run; accounts, limits and banned words
/// follow without a restart, the tasks in flight finish, an invalid file is refused.
@Suite struct ConfigReloadTests {
    static func yaml(store: String, extra: String) -> String {
        """
        http:
          port: 0
        store:
          path: \(store)
        reload:
          pollSeconds: 0.1
        sandbox:
          enabled: true
          port: 0
          gatewayPort: 0
          speedFactor: 0.02
          tileSize: 64
          accounts: 2
        \(extra)
        """
    }

    static func account(coreSize: Int) -> String {
        """
        accounts:
          - id: added
            guildId: "\(SandboxIDs.guildId)"
            channelId: "\(SandboxIDs.channelId(3))"
            userToken: sandbox-token-3
            coreSize: \(coreSize)
        """
    }

    @Test func reloadWithTasksInFlight() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("mjproxy.yaml").path
        let store = dir.appendingPathComponent("store.sqlite").path
        try Self.yaml(store: store, extra: "").write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: file, environment: [:])
        #expect(config.configPath == file)

        try await TestProxy.with(config) { proxy in
            var inFlight: [String] = []
            for i in 0..<4 { inFlight.append(try await proxy.imagine("a reloaded cat \(i)")) }

            // A new account, banned words: applied while the tasks run.
            let second = Self.yaml(store: store, extra: Self.account(coreSize: 1) + "\nbannedWords:\n  words: [forbidden]\n")
            try second.write(toFile: file, atomically: true, encoding: .utf8)
            let added = try await eventually("the added account to connect") { () -> DiscordAccount? in
                guard let a = await proxy.runtime.pool.account(id: "added"), await a.isAvailable else { return nil }
                return a
            }
            let banned = try await eventually("banned words to apply") { () -> String? in
                let r = try await proxy.post("/mj/submit/imagine", #"{"prompt":"a forbidden cat"}"#)
                return r["code"] == 24 ? r["properties"]?["bannedWord"]?.stringValue : Optional.none
            }
            #expect(banned == "forbidden")

            // A changed limit applies to the running account (same session, no reconnect).
            try Self.yaml(store: store, extra: Self.account(coreSize: 2) + "\nbannedWords:\n  words: [forbidden, other]\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            try await eventually("the new core size") { added.config.coreSize == 2 ? true : nil }
            #expect(await proxy.runtime.pool.account(id: "added") === added)

            // An invalid file is refused; the running configuration stays.
            try (Self.yaml(store: store, extra: Self.account(coreSize: 2)) + "\nreload:\n  pollSeconds: -5\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await proxy.runtime.pool.account(id: "added") === added)
            #expect(try await proxy.post("/mj/submit/imagine", #"{"prompt":"a forbidden cat"}"#)["code"] == 24)

            // Every task accepted before the changes finishes; the added account serves new ones.
            for id in inFlight { #expect(try await proxy.waitFinished(id).task["status"]?.stringValue == "SUCCESS") }
            let onAdded = try await proxy.imagine("a cat on the new account", extra: #","accountFilter":{"instanceId":"added"}"#)
            #expect(try await proxy.waitFinished(onAdded).task["status"]?.stringValue == "SUCCESS")

            // Removing it from the file removes it.
            try Self.yaml(store: store, extra: "").write(toFile: file, atomically: true, encoding: .utf8)
            try await eventually("the account to be removed") { await proxy.runtime.pool.account(id: "added") == nil ? true : nil }
        }
    }
}
