import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Configuration errors name the key; environment overrides the file; nothing configured = sandbox.
@Suite struct ConfigTests {
    func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func error(_ yaml: String, env: [String: String] = [:]) throws -> String {
        do {
            _ = try ConfigLoader.load(path: try write(yaml), environment: env)
            return "no error"
        } catch let e as ConfigError {
            return e.description
        }
    }

    @Test func defaultsRunTheSandbox() throws {
        let c = try ConfigLoader.load(path: try write("{}"), environment: [:])
        #expect(c.sandboxEnabled)
        #expect(c.port == 8080)
        #expect(c.sandbox.accounts == 3)
    }

    @Test func errorsNameTheKey() throws {
        #expect(try error("http:\n  prot: 1\n").contains("http.prot: unknown key"))
        #expect(try error("http:\n  port: abc\n").contains("http.port: must be an integer"))
        #expect(try error("http:\n  port: 70000\n").contains("http.port"))
        #expect(try error("color: blue\n").contains("color: unknown key"))
        #expect(try error("locale: fr\n").contains("locale: must be en or zh"))
        #expect(try error("accounts:\n  - guildId: '1'\n    channelId: '2'\n    userToken: t\n").contains("accounts[0].guildId: must be a Discord id"))
        #expect(try error("accounts:\n  - channelId: '11720000000000000002'\n    userToken: t\n").contains("accounts[0].guildId: is required"))
        #expect(try error("webhook:\n  url: nope\n").contains("webhook.url: must be an http(s) URL"))
        #expect(try error("{}", env: ["MJPROXY_HTTP_PORT": "x"]).contains("MJPROXY_HTTP_PORT: must be an integer"))
    }

    @Test func realAccountsTurnTheSandboxOffAndTokensStayHidden() throws {
        let yaml = """
            api:
              secret: abc
            accounts:
              - guildId: "1172000000000000001"
                channelId: "1172000000000000002"
                userToken: "MTE3-very-secret-token"
                coreSize: 2
            """
        let c = try ConfigLoader.load(path: try write(yaml), environment: ["MJPROXY_HTTP_PORT": "9090"])
        #expect(!c.sandboxEnabled)
        #expect(c.port == 9090)
        #expect(c.accounts.first?.id == "1172000000000000002")
        #expect(c.accounts.first?.coreSize == 2)
        #expect(c.accounts.first?.maskedToken == "MTE3-v***")
        // A configuration error about an account never repeats its token.
        let bad = yaml.replacingOccurrences(of: "coreSize: 2", with: "coreSize: 99")
        let message = try error(bad)
        #expect(message.contains("accounts[0].coreSize"))
        #expect(!message.contains("very-secret"))
    }
}
