import Foundation

/// Where client-given URLs (describe `link`, face-swap URLs, `notifyHook`, `webhook.url`) may point.
///
/// http/https only. Every address the host resolves to must be a public one: loopback, private,
/// link-local, CGNAT, unspecified, multicast and reserved addresses (also inside IPv4-mapped and
/// similar IPv6 forms) are refused unless `allowPrivateNetworks`; cloud metadata addresses stay
/// refused even then. `allowHosts` (exact names or IP literals) skip the address check. Trusted
/// origins (the configured Discord endpoints, the sandbox) are always allowed. A URL that reaches
/// the proxy's own API (a local address on the API's port) is always refused.
public struct OutboundPolicy: Sendable {
    /// Allow private/loopback/link-local/CGNAT targets (not metadata addresses).
    public var allowPrivateNetworks: Bool
    /// Host names (lowercased) and IP literals exempt from the address check.
    public var allowHosts: [String]
    /// When set, the current `allowPrivateNetworks` / `allowHosts` (live configuration) instead of the stored ones.
    public var liveRules: (@Sendable () -> (allowPrivateNetworks: Bool, allowHosts: [String]))?
    /// `host:port` origins that are always allowed (Discord endpoints, the sandbox).
    public private(set) var trustedOrigins: Set<String>
    /// The API's listening port (read when a URL is checked: it may be bound later).
    public var ownAPIPort: (@Sendable () -> Int?)?
    /// Name resolution (the system's by default).
    public var resolver: any HostResolver

    /// Creates a policy. `trustedBaseURLs` are base URLs whose scheme-host-port is trusted.
    public init(
        allowPrivateNetworks: Bool = false, allowHosts: [String] = [], trustedBaseURLs: [String] = [],
        ownAPIPort: (@Sendable () -> Int?)? = nil, resolver: any HostResolver = SystemHostResolver()
    ) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowHosts = allowHosts.map { $0.lowercased() }
        self.trustedOrigins = []
        self.ownAPIPort = ownAPIPort
        self.resolver = resolver
        trust(trustedBaseURLs)
    }

    /// Adds base URLs (http, https, ws, wss) whose origin is trusted.
    public mutating func trust(_ baseURLs: [String]) {
        for base in baseURLs {
            guard let parts = Self.components(base) else { continue }
            trustedOrigins.insert("\(parts.host):\(parts.port)")
        }
    }

    /// A URL that passed the policy.
    public struct Target: Sendable {
        public var url: URL
        /// The host as written in the URL (lowercased, no brackets).
        public var host: String
        public var port: Int
        /// The checked address to connect to; nil for trusted origins (connect by name).
        public var address: IPAddress?
    }

    /// Checks `text`, resolving its host; throws `OutboundError` with the reason in `detail`.
    public func check(_ text: String) async throws -> Target {
        guard let url = URL(string: text), let parts = Self.components(text) else { throw OutboundError("not a URL: \(text.prefix(200))") }
        guard parts.scheme == "http" || parts.scheme == "https" else { throw OutboundError("scheme \(parts.scheme) not allowed") }
        let literal = IPAddress(parsing: parts.host)
        var addresses: [IPAddress]?
        func resolved() async throws -> [IPAddress] {
            if let addresses { return addresses }
            let list: [IPAddress]
            if let literal {
                list = [literal]
            } else {
                do { list = try await resolver.resolve(host: parts.host) } catch { throw OutboundError("\(error)") }
            }
            addresses = list
            return list
        }
        if let own = ownAPIPort?(), own == parts.port {
            let local = resolver.localAddresses()
            if let hit = try await resolved().first(where: { isThisMachine($0, local: local) }) {
                throw OutboundError("\(parts.host) (\(hit)) port \(own) is the proxy's own API")
            }
        }
        if trustedOrigins.contains("\(parts.host):\(parts.port)") {
            return Target(url: url, host: parts.host, port: parts.port, address: nil)
        }
        let list = try await resolved()
        guard let first = list.first else { throw OutboundError("no address for \(parts.host)") }
        if !isAllowedHost(parts.host, literal: literal) {
            for address in list {
                if let reason = refusal(for: address) { throw OutboundError("\(parts.host) resolves to \(address) (\(reason))") }
            }
        }
        return Target(url: url, host: parts.host, port: parts.port, address: first)
    }

    /// Why `address` is refused under this policy, or nil when it is allowed (host exemptions aside).
    public func refusal(for address: IPAddress) -> String? {
        let kind = AddressClass(address)
        switch kind {
        case .publicInternet: return nil
        case .metadata: return kind.rawValue
        default: return (liveRules?().allowPrivateNetworks ?? allowPrivateNetworks) ? nil : kind.rawValue
        }
    }

    /// True when `host` is in `allowHosts` (by name, or as the same IP literal).
    public func isAllowedHost(_ host: String, literal: IPAddress? = nil) -> Bool {
        let host = host.lowercased()
        let allowHosts = liveRules.map { $0().allowHosts.map { $0.lowercased() } } ?? allowHosts
        if allowHosts.contains(host) { return true }
        guard let ip = literal ?? IPAddress(parsing: host) else { return false }
        return allowHosts.contains { IPAddress(parsing: $0) == ip }
    }

    /// Loopback, unspecified, or one of this machine's interface addresses.
    func isThisMachine(_ address: IPAddress, local: Set<IPAddress>) -> Bool {
        let effective = address.embeddedV4 ?? address
        switch AddressClass(effective) {
        case .loopback, .unspecified: return true
        default: return local.contains(effective) || local.contains(address)
        }
    }

    /// Scheme (lowercased), host (lowercased, no brackets) and effective port of a URL.
    static func components(_ text: String) -> (scheme: String, host: String, port: Int)? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), var host = url.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let defaultPort: Int
        switch scheme {
        case "http", "ws": defaultPort = 80
        case "https", "wss": defaultPort = 443
        default: defaultPort = 0
        }
        let port = url.port ?? defaultPort
        guard (0...65535).contains(port) else { return nil }
        return (scheme, host.lowercased(), port)
    }
}

/// An outbound request that was refused or failed. `description` is generic on purpose (no
/// difference between a refused address, a closed port or a timeout reaches a client); `detail`
/// is for the debug log.
public struct OutboundError: Error, CustomStringConvertible {
    /// What really happened (log only).
    public var detail: String

    /// Creates an error with its log detail.
    public init(_ detail: String) { self.detail = detail }

    /// The generic text shown to clients.
    public static let genericDescription = "the URL could not be fetched"
    public var description: String { Self.genericDescription }
}
