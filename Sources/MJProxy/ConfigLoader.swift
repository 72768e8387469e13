import DiscordKit
import Foundation
import ImageMirror
import PostgresStorage
import ProxyCore
import Yams

/// Reads YAML and environment into `AppConfig`, rejecting unknown keys and wrong types by name.
enum ConfigLoader {
    /// Loads `path` (if given or `./mjproxy.yaml` exists), then applies `environment`.
    static func load(path: String?, environment: [String: String]) throws -> AppConfig {
        var config = AppConfig()
        let file = path ?? (FileManager.default.fileExists(atPath: "mjproxy.yaml") ? "mjproxy.yaml" : nil)
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigError(key: "--config", problem: "cannot read \(file)")
            }
            let node: Any?
            do { node = try Yams.load(yaml: text) } catch { throw ConfigError(key: file, problem: "not valid YAML (\(error))") }
            if let node {
                guard var root = node as? [String: Any] else { throw ConfigError(key: file, problem: "top level must be a mapping") }
                if let mj = root["mj"] {
                    // A novicezk midjourney-proxy application.yml: its `mj.` keys mapped onto ours.
                    root = try NovicezkConfig.translate(mj, rest: root, warnings: &config.warnings)
                }
                try apply(root, to: &config)
            }
            config.configPath = file
        }
        try applyEnvironment(environment, to: &config)
        try validate(config)
        return config
    }

    // MARK: typed readers

    static func map(_ v: Any, _ key: String) throws -> [String: Any] {
        guard let m = v as? [String: Any] else { throw ConfigError(key: key, problem: "must be a mapping") }
        return m
    }

    static func string(_ v: Any, _ key: String) throws -> String {
        if let s = v as? String { return s }
        if let i = v as? Int { return String(i) }
        throw ConfigError(key: key, problem: "must be a string")
    }

    static func int(_ v: Any, _ key: String) throws -> Int {
        if let i = v as? Int { return i }
        if let s = v as? String, let i = Int(s) { return i }
        throw ConfigError(key: key, problem: "must be an integer")
    }

    static func double(_ v: Any, _ key: String) throws -> Double {
        let parsed: Double? = (v as? Double) ?? (v as? Int).map(Double.init) ?? (v as? String).flatMap(Double.init)
        // Infinity and NaN (YAML `.inf`, `.nan`, env `inf`) would trap wherever they become durations or sizes.
        guard let d = parsed, d.isFinite else { throw ConfigError(key: key, problem: "must be a finite number") }
        return d
    }

    static func bool(_ v: Any, _ key: String) throws -> Bool {
        if let b = v as? Bool { return b }
        if let s = v as? String, ["true", "false", "1", "0", "yes", "no"].contains(s.lowercased()) { return ["true", "1", "yes"].contains(s.lowercased()) }
        throw ConfigError(key: key, problem: "must be true or false")
    }

    static func unknown(_ key: String, allowed: [String]) -> ConfigError {
        ConfigError(key: key, problem: "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
    }
}
