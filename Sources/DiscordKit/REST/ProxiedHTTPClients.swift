import AsyncHTTPClient
import Logging

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
            var configuration = HTTPClient.Configuration()
            configuration.proxy = proxy.httpClientProxy
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            map[proxy] = client
            return client
        }
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
