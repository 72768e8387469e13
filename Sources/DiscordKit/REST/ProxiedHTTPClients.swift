import AsyncHTTPClient
import Logging
import NIOCore

/// One `HTTPClient` per distinct outbound proxy (AsyncHTTPClient fixes the proxy per client):
/// accounts sharing a proxy share its client and connection pool; accounts without one use the
/// shared direct client. `shutdown()` closes the proxied clients (not the direct one).
public final class ProxiedHTTPClients: Sendable {
    private let direct: HTTPClient
    private let clients = Locked<[OutboundProxy: HTTPClient]>([:])
    private let closed = Locked(false)

    /// Creates the set around `direct` (the caller owns and shuts down `direct`).
    public init(direct: HTTPClient) { self.direct = direct }

    /// The client for `proxy` (created on first use), or the direct client for nil.
    public func client(for proxy: OutboundProxy?) -> HTTPClient {
        guard let proxy else { return direct }
        return clients.withLock { map in
            if let existing = map[proxy] { return existing }
            var configuration = Self.configuration()
            configuration.proxy = proxy.httpClientProxy
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            map[proxy] = client
            return client
        }
    }

    /// The client settings for Discord traffic: many accounts share one client, so the pool holds up to
    /// 64 connections per host (HTTP/1.1 hosts such as the sandbox; Discord itself multiplexes over HTTP/2),
    /// and a request may wait for one up to 60 s while a thousand accounts sync at start.
    public static func configuration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.timeout.connect = .seconds(60)
        return configuration
    }

    /// How many proxied clients exist.
    public var proxiedCount: Int { clients.withLock { $0.count } }

    /// Shuts every proxied client down (once).
    public func shutdown() async {
        guard closed.withLock({ done in defer { done = true }; return !done }) else { return }
        let all = clients.withLock { map in defer { map.removeAll() }; return Array(map.values) }
        for client in all { try? await client.shutdown() }
    }
}
