import Logging
import PostgresNIO
import ProxyCore

/// Account leases and instance heartbeats (several instances on one database). Times are the
/// server's (`clock_timestamp()` in ms), so instances on machines with different clocks agree; each
/// operation is one statement, atomic against every other instance.
extension PostgresTaskStore: AccountLeaseStore {
    /// The server's time now, in milliseconds.
    static let nowMillis = "(extract(epoch from clock_timestamp()) * 1000)::bigint"

    public func heartbeat(instance: String, startedAt: Int64, liveWithin: Duration) async throws -> [InstanceInfo] {
        let window = liveWithin.wholeMilliseconds
        // A live row of another process with this id stays as it is (only that process keeps it alive); an
        // expired one is taken over.
        try await client.exec(
            """
            INSERT INTO instances (id, started_at, last_seen) VALUES (\(instance), \(startedAt), \(unescaped: Self.nowMillis))
            ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, started_at = excluded.started_at
            WHERE instances.started_at = excluded.started_at OR instances.last_seen <= excluded.last_seen - \(window)
            """, logger: logger)
        let live: PostgresQuery = "SELECT id, started_at, last_seen FROM instances WHERE last_seen > \(unescaped: Self.nowMillis) - \(window) ORDER BY id"
        var out: [InstanceInfo] = []
        for try await (id, started, seen) in try await client.query(live, logger: logger).decode((String, Int64, Int64).self) {
            out.append(InstanceInfo(id: id, startedAt: started, lastSeen: seen))
        }
        return out
    }

    public func renewLeases(instance: String, duration: Duration) async throws -> Set<String> {
        try await accountIds(
            """
            UPDATE account_leases SET expires_at = \(unescaped: Self.nowMillis) + \(duration.wholeMilliseconds)
            WHERE instance_id = \(instance) AND expires_at > \(unescaped: Self.nowMillis) RETURNING account_id
            """)
    }

    public func acquireLeases(_ accountIds: [String], instance: String, duration: Duration) async throws -> Set<String> {
        guard !accountIds.isEmpty else { return [] }
        // A row is taken only when free or expired (or already ours): the WHERE runs on the row as locked
        // by this statement, so of two instances asking at once exactly one gets it. The rows are locked in
        // one order (sorted ids): statements asking for overlapping accounts in different orders deadlocked
        // (PostgreSQL then aborts one with 40P01), which a CI run met.
        let sorted = Array(Set(accountIds)).sorted()
        let sql: PostgresQuery = """
            INSERT INTO account_leases (account_id, instance_id, expires_at)
            SELECT id, \(instance), \(unescaped: Self.nowMillis) + \(duration.wholeMilliseconds)
            FROM unnest(\(sorted)::text[]) WITH ORDINALITY AS asked(id, n) ORDER BY n
            ON CONFLICT (account_id) DO UPDATE SET instance_id = excluded.instance_id, expires_at = excluded.expires_at
            WHERE account_leases.expires_at <= \(unescaped: Self.nowMillis) OR account_leases.instance_id = excluded.instance_id
            RETURNING account_id
            """
        // A deadlock with another kind of statement (a release, a cleanup) is still possible: the statement
        // is atomic, so asking again is safe.
        var attempt = 0
        while true {
            do {
                return try await self.accountIds(sql)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 3 {
                attempt += 1
                logger.debug("account lease statement deadlocked: asking again", metadata: ["attempt": "\(attempt)"])
            }
        }
    }

    public func releaseLeases(_ accountIds: [String]?, instance: String) async throws {
        if let accountIds {
            guard !accountIds.isEmpty else { return }
            try await client.exec("DELETE FROM account_leases WHERE instance_id = \(instance) AND account_id = ANY(\(accountIds))", logger: logger)
        } else {
            try await client.exec("DELETE FROM account_leases WHERE instance_id = \(instance)", logger: logger)
        }
    }

    public func leave(instance: String) async throws {
        try await client.exec("DELETE FROM instances WHERE id = \(instance)", logger: logger)
    }

    public func holdsLease(_ accountId: String, instance: String) async throws -> Bool {
        let sql: PostgresQuery = """
            SELECT 1 FROM account_leases WHERE account_id = \(accountId) AND instance_id = \(instance) AND expires_at > \(unescaped: Self.nowMillis)
            """
        return try await client.query(sql, logger: logger).collect().count > 0
    }

    public func leaseHolders() async throws -> [String: String] {
        var out: [String: String] = [:]
        let sql: PostgresQuery = "SELECT account_id, instance_id FROM account_leases WHERE expires_at > \(unescaped: Self.nowMillis)"
        for try await (account, instance) in try await client.query(sql, logger: logger).decode((String, String).self) { out[account] = instance }
        return out
    }

    /// The account ids a statement returns.
    private func accountIds(_ sql: PostgresQuery) async throws -> Set<String> {
        var out = Set<String>()
        for try await id in try await client.query(sql, logger: logger).decode(String.self) { out.insert(id) }
        return out
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
