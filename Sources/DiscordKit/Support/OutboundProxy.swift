import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdWSClient

/// An outbound proxy for Discord traffic (REST and the gateway WebSocket): an HTTP proxy reached
/// with `CONNECT` (`http://[user:pass@]host:port`) or a SOCKS5 proxy without authentication
/// (`socks5://host:port`).
public struct OutboundProxy: Sendable, Hashable, CustomStringConvertible {
    /// The proxy protocol.
    public enum Kind: String, Sendable, Hashable {
        case http
        case socks5
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    /// `user:password` for HTTP proxies (sent as `Proxy-Authorization: Basic …`).
    public var credentials: (user: String, password: String)? {
        guard let user else { return nil }
        return (user, password ?? "")
    }
    var user: String?
    var password: String?

    /// Why a proxy URL was refused.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `http://[user:pass@]host:port` or `socks5://host:port` (also `socks5h://`); the port is required.
    public init(url raw: String) throws(ParseError) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = text.range(of: "://") else {
            throw ParseError(description: "must be http://[user:pass@]host:port or socks5://host:port")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        default: throw ParseError(description: "unsupported proxy scheme \(scheme) (use http or socks5)")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw ParseError(description: "a proxy URL has no path or query")
        }
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = info.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            password = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : nil
            guard kind == .http else { throw ParseError(description: "SOCKS5 proxies with a user name are not supported") }
            guard user?.isEmpty == false else { throw ParseError(description: "empty proxy user name") }
        }
        let hostPart: Substring
        let portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ParseError(description: "unterminated IPv6 address") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw ParseError(description: "a proxy URL needs a port") }
            portPart = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw ParseError(description: "a proxy URL needs a port") }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(" ") else { throw ParseError(description: "a proxy URL needs a host") }
        guard let port = Int(portPart), (1...65535).contains(port) else { throw ParseError(description: "proxy port must be 1-65535") }
        host = String(hostPart)
        self.port = port
    }

    /// The proxy for AsyncHTTPClient.
    public var httpClientProxy: HTTPClient.Configuration.Proxy {
        switch kind {
        case .socks5:
            return .socksServer(host: host, port: port)
        case .http:
            if let c = credentials {
                return .server(host: host, port: port, authorization: .basic(username: c.user, password: c.password))
            }
            return .server(host: host, port: port)
        }
    }

    /// The proxy for the gateway WebSocket client.
    public var webSocketProxy: WebSocketProxySettings {
        switch kind {
        case .socks5:
            return WebSocketProxySettings(host: host, port: port, type: .socks)
        case .http:
            var headers = HTTPFields()
            if let c = credentials {
                let token = Data("\(c.user):\(c.password)".utf8).base64EncodedString()
                if let name = HTTPField.Name("Proxy-Authorization") { headers[name] = "Basic \(token)" }
            }
            return WebSocketProxySettings(host: host, port: port, type: .http(connectHeaders: headers))
        }
    }

    /// The URL without credentials (for logs).
    public var description: String { "\(kind.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public static func == (a: OutboundProxy, b: OutboundProxy) -> Bool {
        a.kind == b.kind && a.host == b.host && a.port == b.port && a.user == b.user && a.password == b.password
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(user)
        hasher.combine(password)
    }
}
