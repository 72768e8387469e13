import Foundation
import Testing

@testable import MJProxy

/// `instance.*` from YAML and `MJPROXY_INSTANCE_*`: defaults, overrides, errors naming the key.
@Suite struct InstanceConfigTests {
    func load(_ yaml: String?, env: [String: String] = [:]) throws -> AppConfig {
        guard let yaml else { return try ConfigLoader.load(path: nil, environment: env) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader.load(path: path, environment: env)
    }

    func error(_ yaml: String?, env: [String: String] = [:]) -> String {
        do {
            _ = try load(yaml, env: env)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsGenerateAnIdPerStart() throws {
        let c = try load(nil)
        #expect(c.instance.id == nil && c.instance.leaseSeconds == 10 && c.instance.renewSeconds == 2.5)
        let a = c.instance.resolvedId
        let b = c.instance.resolvedId
        #expect(a != b, "host-pid-random: two starts never share an id")
        #expect(a.contains("-\(ProcessInfo.processInfo.processIdentifier)-"))
    }

    @Test func yamlAndEnvironment() throws {
        let c = try load("instance:\n  id: node-a\n  leaseSeconds: 20\n  renewSeconds: 5\n")
        #expect(c.instance.id == "node-a" && c.instance.resolvedId == "node-a" && c.instance.leaseSeconds == 20 && c.instance.renewSeconds == 5)
        let e = try load("instance:\n  id: node-a\n", env: ["MJPROXY_INSTANCE_ID": "node-b", "MJPROXY_INSTANCE_LEASE_SECONDS": "8", "MJPROXY_INSTANCE_RENEW_SECONDS": "2"])
        #expect(e.instance.id == "node-b" && e.instance.leaseSeconds == 8 && e.instance.renewSeconds == 2)
    }

    @Test func badValuesNameTheKey() {
        #expect(error("instance:\n  renewSeconds: 6\n").contains("instance.renewSeconds"), "more than half the lease")
        #expect(error("instance:\n  leaseSeconds: 0.5\n").contains("instance.leaseSeconds"))
        #expect(error("instance:\n  id: two words\n").contains("instance.id"))
        #expect(error("instance:\n  nodes: 3\n").contains("instance.nodes"))
    }
}
