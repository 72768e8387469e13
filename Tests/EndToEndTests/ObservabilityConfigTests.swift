import Foundation
import Logging
import Testing

@testable import MJProxy

/// `metrics.*` and `log.*` from YAML and `MJPROXY_METRICS_*` / `MJPROXY_LOG_*`: defaults, overrides,
/// errors naming the key.
@Suite struct ObservabilityConfigTests {
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

    @Test func defaults() throws {
        let c = try load(nil)
        #expect(c.metrics.enabled && c.metrics.secret == nil)
        #expect(c.log.format == .text && c.log.level == .info)
    }

    @Test func yamlSetsEveryKey() throws {
        let c = try load("metrics:\n  enabled: false\n  secret: scrape-me\nlog:\n  format: JSON\n  level: debug\n")
        #expect(!c.metrics.enabled && c.metrics.secret == "scrape-me")
        #expect(c.log.format == .json && c.log.level == .debug)
    }

    @Test func environmentWinsOverTheFile() throws {
        let env = ["MJPROXY_METRICS_ENABLED": "true", "MJPROXY_METRICS_SECRET": "from-env", "MJPROXY_LOG_FORMAT": "json", "MJPROXY_LOG_LEVEL": "warning"]
        let c = try load("metrics:\n  enabled: false\n  secret: from-file\nlog:\n  format: text\n", env: env)
        #expect(c.metrics.enabled && c.metrics.secret == "from-env")
        #expect(c.log.format == .json && c.log.level == .warning)
    }

    @Test func errorsNameTheKey() {
        #expect(error("log:\n  format: xml\n").contains("log.format: must be text or json"))
        #expect(error("log:\n  level: loud\n").contains("log.level: must be one of trace, debug, info"))
        #expect(error("log:\n  colour: true\n").contains("log.colour: unknown key (allowed here: format, level)"))
        #expect(error("metrics:\n  enabled: maybe\n").contains("metrics.enabled: must be true or false"))
        #expect(error("metrics:\n  port: 9100\n").contains("metrics.port: unknown key (allowed here: enabled, secret)"))
        #expect(error("metrics: on\n").contains("metrics: must be a mapping"))
        #expect(error(nil, env: ["MJPROXY_LOG_FORMAT": "yaml"]).contains("MJPROXY_LOG_FORMAT: must be text or json"))
        #expect(error(nil, env: ["MJPROXY_LOG_LEVEL": "verbose"]).contains("MJPROXY_LOG_LEVEL"))
        #expect(error(nil, env: ["MJPROXY_METRICS_ENABLED": "sometimes"]).contains("MJPROXY_METRICS_ENABLED: must be true or false"))
    }

    @Test func commandsWithoutConfigurationReadTheEnvironmentLeniently() {
        let s = LogSettings.fromEnvironment(["MJPROXY_LOG_FORMAT": "JSON", "MJPROXY_LOG_LEVEL": "nonsense"])
        #expect(s.format == .json && s.level == .info)
    }
}
