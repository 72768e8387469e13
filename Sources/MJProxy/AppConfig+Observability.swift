import Foundation
import Logging

/// `/metrics` settings (`metrics.*`, env `MJPROXY_METRICS_*`).
struct MetricsSettings: Sendable, Equatable {
    /// Serve `GET /metrics` (default on).
    var enabled = true
    /// The secret `/metrics` requires; unset = the API or admin secret when one is set (README "Metrics").
    var secret: String?
}

/// Log output settings (`log.*`, env `MJPROXY_LOG_*`).
struct LogSettings: Sendable, Equatable {
    /// Line format of the process's logs.
    enum Format: String, Sendable, CaseIterable {
        /// swift-log's human-readable lines (the default).
        case text
        /// One JSON object per line (`JSONLogHandler`).
        case json
    }

    var format: Format = .text
    var level: Logger.Level = .info
}

/// The `metrics.*` and `log.*` keys: the one place they are read and checked. `AppConfig.metrics` and
/// `AppConfig.log` hold the result.
extension ConfigLoader {
    static let metricsKeys = ["enabled", "secret"]
    static let logKeys = ["format", "level"]

    /// The `metrics` YAML section.
    static func applyMetrics(_ v: Any, to c: inout AppConfig) throws {
        for (k, value) in try map(v, "metrics") {
            let key = "metrics.\(k)"
            switch k {
            case "enabled": c.metrics.enabled = try bool(value, key)
            case "secret": c.metrics.secret = try string(value, key)
            default: throw unknown(key, allowed: metricsKeys)
            }
        }
    }

    /// The `log` YAML section.
    static func applyLog(_ v: Any, to c: inout AppConfig) throws {
        for (k, value) in try map(v, "log") {
            let key = "log.\(k)"
            switch k {
            case "format": c.log.format = try logFormat(try string(value, key), key)
            case "level": c.log.level = try logLevel(try string(value, key), key)
            default: throw unknown(key, allowed: logKeys)
            }
        }
    }

    /// `MJPROXY_METRICS_ENABLED`, `MJPROXY_METRICS_SECRET`, `MJPROXY_LOG_FORMAT`, `MJPROXY_LOG_LEVEL` (over the file).
    static func applyObservabilityEnvironment(_ env: [String: String], to c: inout AppConfig) throws {
        func get(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = get("MJPROXY_METRICS_ENABLED") { c.metrics.enabled = try bool(v, "MJPROXY_METRICS_ENABLED") }
        if let v = get("MJPROXY_METRICS_SECRET") { c.metrics.secret = v }
        if let v = get("MJPROXY_LOG_FORMAT") { c.log.format = try logFormat(v, "MJPROXY_LOG_FORMAT") }
        if let v = get("MJPROXY_LOG_LEVEL") { c.log.level = try logLevel(v, "MJPROXY_LOG_LEVEL") }
    }

    static func logFormat(_ text: String, _ key: String) throws -> LogSettings.Format {
        guard let f = LogSettings.Format(rawValue: text.lowercased()) else { throw ConfigError(key: key, problem: "must be text or json") }
        return f
    }

    static func logLevel(_ text: String, _ key: String) throws -> Logger.Level {
        guard let l = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigError(key: key, problem: "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return l
    }
}
