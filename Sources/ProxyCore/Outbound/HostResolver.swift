import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into every address it resolves to (the outbound policy checks them all).
public protocol HostResolver: Sendable {
    /// All addresses of `host`; throws when it does not resolve.
    func resolve(host: String) async throws -> [IPAddress]
    /// The addresses of this machine's interfaces (to recognise the proxy's own API).
    func localAddresses() -> Set<IPAddress>
}

/// Resolution failed (the detail is for the debug log only).
public struct ResolutionError: Error, CustomStringConvertible {
    public var description: String

    /// Creates an error with its log text.
    public init(description: String) { self.description = description }
}

/// `getaddrinfo` (run off the cooperative pool, it blocks) and `getifaddrs`.
public struct SystemHostResolver: HostResolver {
    /// Creates the resolver.
    public init() {}

    public func resolve(host: String) async throws -> [IPAddress] {
        let result: Result<[IPAddress], ResolutionError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Self.getaddrinfoAll(host))
            }
        }
        return try result.get()
    }

    static func getaddrinfoAll(_ host: String) -> Result<[IPAddress], ResolutionError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(ResolutionError(description: "getaddrinfo(\(host)) failed: \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = ipAddress(current.pointee.ai_addr), !out.contains(address) { out.append(address) }
            node = current.pointee.ai_next
        }
        return out.isEmpty ? .failure(ResolutionError(description: "no address for \(host)")) : .success(out)
    }

    /// The address in a `sockaddr_in` / `sockaddr_in6`.
    static func ipAddress(_ sa: UnsafeMutablePointer<sockaddr>?) -> IPAddress? {
        guard let sa else { return nil }
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafeBytes(of: sin.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafeBytes(of: sin6.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }

    public func localAddresses() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var out: Set<IPAddress> = []
        var node: UnsafeMutablePointer<ifaddrs>? = first
        while let current = node {
            if let address = Self.ipAddress(current.pointee.ifa_addr) { out.insert(address) }
            node = current.pointee.ifa_next
        }
        return out
    }
}
