import Foundation
import Logging
import PostgresNIO

/// Where the PostgreSQL store connects, read from a URL
/// `postgres://user:password@host:port/database?sslmode=…&schema=…&pool=…` (`postgresql://` too).
///
/// Query parameters: `sslmode` (`disable`, `prefer` — the default —, `require`), `schema` (tables live
/// in that schema, created when missing; default `public`), `pool` (most connections, 1-1000, default 20)
/// and `host` (a directory holding the server's unix socket, used instead of the URL's host).
/// The password is kept out of every description: `redacted` shows the URL with `***` in its place.
public struct PostgresStoreConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// A unix socket directory (`?host=/dir`): the socket `<dir>/.s.PGSQL.<port>` is used instead of TCP.
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String
    public var sslMode: SSLMode
    public var maximumConnections: Int

    /// How the connection is encrypted.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
    }

    /// Parses a store URL; the error never contains the password.
    public init(url: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased()
        else { throw PostgresURLError("not a URL (expected postgres://user:password@host:port/database)") }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresURLError("the scheme must be postgres:// or postgresql://")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw PostgresURLError("needs a user name (postgres://user:password@host:port/database)")
        }
        username = user
        password = components.password.flatMap { $0.removingPercentEncoding }
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw PostgresURLError("the port must be 1-65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.removingPercentEncoding ?? path
        guard !database.isEmpty, !database.contains("/") else { throw PostgresURLError("needs a database name (…/database)") }
        schema = "public"
        sslMode = .prefer
        maximumConnections = 20
        socketDirectory = nil
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else { throw PostgresURLError("sslmode must be disable, prefer or require") }
                sslMode = mode
            case "schema":
                guard Self.isIdentifier(value) else {
                    throw PostgresURLError("schema must be a lower-case identifier (a-z, 0-9, _; at most 63 characters)")
                }
                schema = value
            case "pool":
                guard let n = Int(value), (1...1000).contains(n) else { throw PostgresURLError("pool must be 1-1000") }
                maximumConnections = n
            case "host":
                guard value.hasPrefix("/") else { throw PostgresURLError("the host parameter must be a socket directory (/path)") }
                socketDirectory = value
            default:
                throw PostgresURLError("unknown parameter \(item.name) (allowed: sslmode, schema, pool, host)")
            }
        }
        host = components.host.flatMap { $0.removingPercentEncoding } ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty || socketDirectory != nil else { throw PostgresURLError("needs a host (postgres://user@host:port/database)") }
    }

    /// Whether `name` is safe to use unquoted as a schema name.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...63).contains(name.utf8.count), first == "_" || ("a"..."z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// The URL with the password replaced by `***` (for logs and messages).
    public var redacted: String {
        let auth = password == nil ? username : "\(username):***"
        let place = socketDirectory.map { "[socket \($0)]" } ?? (host.contains(":") ? "[\(host)]" : host)
        var query: [String] = []
        if sslMode != .prefer { query.append("sslmode=\(sslMode.rawValue)") }
        if schema != "public" { query.append("schema=\(schema)") }
        return "postgres://\(auth)@\(place):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// The same server and database with tables in another schema.
    public func with(schema: String) throws(PostgresURLError) -> PostgresStoreConfiguration {
        guard Self.isIdentifier(schema) else { throw PostgresURLError("schema must be a lower-case identifier") }
        var copy = self
        copy.schema = schema
        return copy
    }

    private var startupParameters: [(String, String)] {
        // Every connection resolves unqualified table names in the store's schema.
        [("search_path", schema), ("application_name", "mjproxy")]
    }

    private func tlsSetting() throws -> PostgresConnection.Configuration.TLS {
        switch sslMode {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// The connection pool's configuration.
    func clientConfiguration() -> PostgresClient.Configuration {
        var c: PostgresClient.Configuration
        if let socketDirectory {
            c = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            c = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        c.options.maximumConnections = maximumConnections
        c.options.additionalStartupParameters = startupParameters
        return c
    }

    /// The configuration of one connection outside the pool (migrations at open).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let socketDirectory {
            c = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            c = .init(host: host, port: port, username: username, password: password, database: database, tls: try tlsSetting())
        }
        c.options.additionalStartupParameters = startupParameters
        return c
    }
}

/// A store URL that cannot be used; the message names the problem, never the password.
public struct PostgresURLError: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
