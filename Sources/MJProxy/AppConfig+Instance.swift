import Foundation

/// This process as one instance of several on one PostgreSQL store (`instance.*`, env `MJPROXY_INSTANCE_*`).
/// Only used with `store.url`: with SQLite every account runs in this process.
struct InstanceSettings: Sendable, Equatable {
    /// `instance.id`: this instance's name in the `instances` and `account_leases` tables; unset = host name,
    /// process id and a random suffix (unique per start).
    var id: String?
    /// `instance.leaseSeconds`: how long an account lease lasts unrenewed (a dead instance's accounts move after it).
    var leaseSeconds = 10.0
    /// `instance.renewSeconds`: how often leases are renewed and free accounts looked for.
    var renewSeconds = 2.5

    /// The configured id, else `host-pid-xxxxxx`.
    var resolvedId: String {
        if let id, !id.isEmpty { return id }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "mjproxy"
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }
}

/// The `instance.*` keys: the one place they are read and checked. `AppConfig.instance` holds the result.
extension ConfigLoader {
    static let instanceKeys = ["id", "leaseSeconds", "renewSeconds"]

    /// The `instance` YAML section.
    static func applyInstance(_ v: Any, to c: inout AppConfig) throws {
        for (k, value) in try map(v, "instance") {
            let key = "instance.\(k)"
            switch k {
            case "id": c.instance.id = try string(value, key)
            case "leaseSeconds": c.instance.leaseSeconds = try double(value, key)
            case "renewSeconds": c.instance.renewSeconds = try double(value, key)
            default: throw unknown(key, allowed: instanceKeys)
            }
        }
    }

    /// `MJPROXY_INSTANCE_ID`, `MJPROXY_INSTANCE_LEASE_SECONDS`, `MJPROXY_INSTANCE_RENEW_SECONDS` (over the file).
    static func applyInstanceEnvironment(_ env: [String: String], to c: inout AppConfig) throws {
        func get(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = get("MJPROXY_INSTANCE_ID") { c.instance.id = v }
        if let v = get("MJPROXY_INSTANCE_LEASE_SECONDS") { c.instance.leaseSeconds = try double(v, "MJPROXY_INSTANCE_LEASE_SECONDS") }
        if let v = get("MJPROXY_INSTANCE_RENEW_SECONDS") { c.instance.renewSeconds = try double(v, "MJPROXY_INSTANCE_RENEW_SECONDS") }
    }

    /// Leases of 1–300 s renewed at least twice per lease; an id of 1–128 characters without spaces.
    static func validateInstance(_ c: AppConfig) throws {
        let s = c.instance
        if let id = s.id, id.count > 128 || id.contains(where: \.isWhitespace) {
            throw ConfigError(key: "instance.id", problem: "must be 1-128 characters without spaces")
        }
        guard s.leaseSeconds >= 1, s.leaseSeconds <= 300 else { throw ConfigError(key: "instance.leaseSeconds", problem: "must be 1-300") }
        guard s.renewSeconds > 0, s.renewSeconds * 2 <= s.leaseSeconds else {
            throw ConfigError(key: "instance.renewSeconds", problem: "must be above 0 and at most half of instance.leaseSeconds")
        }
    }
}
