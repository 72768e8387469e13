// PostgresStorage: the PostgreSQL TaskStore/AccountStore (postgres-nio), for operators who keep the
// proxy's data in a database server (and, later, for several instances sharing one database).

import DiscordKit
import Foundation
import Logging
import PostgresNIO
import ProxyCore
import ServiceLifecycle

/// `TaskStore` and `AccountStore` on PostgreSQL: the same tables and guarantees as the SQLite store
/// (tasks as JSON documents with indexed columns, the webhook outbox, channel cursors, accounts), over
/// a connection pool (`PostgresClient`).
///
/// The pool works while `run()` runs: add the store to the process's ServiceGroup (before the services
/// that use it, so it stops after them). `open` migrates the schema first, on a connection of its own.
/// Every guarantee is kept by single SQL statements or transactions, never by read-then-write in Swift,
/// so it holds across connections and processes:
/// - a stale task write (lower revision, or unfinished over finished) is a no-op of the upsert's WHERE;
/// - a task and its outbox rows are written in one transaction;
/// - a channel cursor only moves forward (compared as numbers).
public final class PostgresTaskStore: TaskStore, AccountStore, Service {
    let client: PostgresClient
    let configuration: PostgresStoreConfiguration
    let logger: Logger
    /// The schema version after `open`'s migrations.
    public let schemaVersion: Int
    /// The stored accounts as the store opened (read on the migration connection, so they can be used
    /// before `run` starts the pool).
    public let accountsAtOpen: [AccountRecord]
    /// The instance writing through this store (named in its change notifications).
    public let instanceId: String
    /// The key every instance on this database signs image links with when `images.signingKey` is not set
    /// (64 hex digits, created by the first instance that opened the store).
    public let sharedImageSigningKey: String

    private init(
        client: PostgresClient, configuration: PostgresStoreConfiguration, logger: Logger, schemaVersion: Int, accountsAtOpen: [AccountRecord],
        instanceId: String, sharedImageSigningKey: String
    ) {
        self.instanceId = instanceId
        self.sharedImageSigningKey = sharedImageSigningKey
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.schemaVersion = schemaVersion
        self.accountsAtOpen = accountsAtOpen
    }

    /// Connects once to apply pending migrations (safe when several processes start at once) and read
    /// the stored accounts, then returns the store; its pool connects when `run` starts.
    public static func open(_ configuration: PostgresStoreConfiguration, logger: Logger, instanceId: String = "") async throws -> PostgresTaskStore {
        let (version, accounts, signingKey): (Int, [AccountRecord], String)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
            do {
                version = try await PostgresMigrations.migrate(on: connection, schema: configuration.schema, logger: logger)
                accounts = try await readAccounts(from: try await connection.query(accountsQuery, logger: logger))
                signingKey = try await sharedValue("image.signingKey", proposed: randomHex(bytes: 32), on: connection, logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw PostgresStoreError(configuration, "cannot open the store", error)
        }
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
        return PostgresTaskStore(
            client: client, configuration: configuration, logger: logger, schemaVersion: version, accountsAtOpen: accounts, instanceId: instanceId,
            sharedImageSigningKey: signingKey)
    }

    /// The value every instance shares under `key`: `proposed` when no instance stored one before.
    static func sharedValue(_ key: String, proposed: String, on connection: PostgresConnection, logger: Logger) async throws -> String {
        try await connection.exec("INSERT INTO shared_settings (key, value) VALUES (\(key), \(proposed)) ON CONFLICT (key) DO NOTHING", logger: logger)
        for try await value in try await connection.query("SELECT value FROM shared_settings WHERE key = \(key)", logger: logger).decode(String.self) {
            return value
        }
        return proposed
    }

    /// `bytes` random bytes as hex digits.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return TextFormat.hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Runs the connection pool until cancelled or until the service group shuts down.
    public func run() async throws {
        await client.run()
    }

    /// Runs one statement as is (tests: e.g. damaging a row to check recovery).
    func execute(_ sql: String) async throws {
        try await client.exec(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    // MARK: tasks

    public func save(_ task: MJTask, outbox: [OutboxDelivery]) async throws {
        let data = task.storeDocument
        // A stale write (older revision) or one that would reopen a finished task changes nothing: the
        // WHERE is evaluated on the row as locked by this statement, so concurrent writers serialise on it.
        // A write that happened is announced to the other instances at its commit (same statement).
        let upsert: PostgresQuery = """
            WITH written AS (
                INSERT INTO tasks (id, status, account_id, submit_time, finished, revision, data)
                VALUES (\(task.id), \(task.status.rawValue), \(task.accountId), \(task.submitTime), \(task.status.isFinished), \(task.revision ?? 0), \(data))
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, account_id = excluded.account_id, submit_time = excluded.submit_time,
                    finished = excluded.finished, revision = excluded.revision, data = excluded.data
                WHERE tasks.revision <= excluded.revision AND (NOT tasks.finished OR excluded.finished)
                RETURNING id, revision, account_id, status
            )
            SELECT pg_notify(\(changeChannel), json_build_object('t', id, 'r', revision, 'a', account_id, 's', status, 'i', \(instanceId)::text)::text)
            FROM written
            """
        let logger = self.logger
        if outbox.isEmpty { return try await client.exec(upsert, logger: logger) }
        try await client.withTransaction(logger: logger) { conn in
            try await conn.exec(upsert, logger: logger)
            for d in outbox {
                try await conn.exec(
                    """
                    INSERT INTO webhook_outbox (task_id, sequence, event, url, body, delivery_id, attempts, created_at, next_attempt)
                    VALUES (\(d.taskId), \(d.sequence), \(d.event.rawValue), \(d.url), \(d.body), \(d.deliveryId), \(d.attempts), \(d.createdAt), \(d.nextAttempt))
                    """, logger: logger)
            }
        }
    }

    /// Decodes the `data` column of each row (an unreadable document is an error, as in SQLite).
    private func tasks(_ query: PostgresQuery) async throws -> [MJTask] {
        let decoder = JSONDecoder()
        var result: [MJTask] = []
        for try await data in try await client.query(query, logger: logger).decode(String.self) {
            result.append(try decoder.decode(MJTask.self, from: Data(data.utf8)))
        }
        return result
    }

    public func task(id: String) async throws -> MJTask? {
        try await tasks("SELECT data FROM tasks WHERE id = \(id)").first
    }

    public func tasks(ids: [String]) async throws -> [MJTask] {
        guard !ids.isEmpty else { return [] }
        return try await tasks("SELECT data FROM tasks WHERE id = ANY(\(ids))")
    }

    public func list(limit: Int, before: String?) async throws -> [MJTask] {
        if let before {
            return try await tasks("SELECT data FROM tasks WHERE id < \(before) ORDER BY id DESC LIMIT \(max(0, limit))")
        }
        return try await tasks("SELECT data FROM tasks ORDER BY id DESC LIMIT \(max(0, limit))")
    }

    public func unfinished() async throws -> RecoveredTasks {
        let decoder = JSONDecoder()
        var result = RecoveredTasks(tasks: [])
        for try await (id, data) in try await client.query("SELECT id, data FROM tasks WHERE NOT finished ORDER BY id", logger: logger)
            .decode((String, String).self)
        {
            guard let task = try? decoder.decode(MJTask.self, from: Data(data.utf8)) else {
                result.skipped.append(id)
                continue
            }
            result.tasks.append(task)
        }
        return result
    }

    public func unfinished(accounts: Set<String>) async throws -> [MJTask] {
        guard !accounts.isEmpty else { return [] }
        let decoder = JSONDecoder()
        var result: [MJTask] = []
        let query: PostgresQuery = "SELECT data FROM tasks WHERE NOT finished AND account_id = ANY(\(Array(accounts))) ORDER BY id"
        for try await data in try await client.query(query, logger: logger).decode(String.self) {
            if let task = try? decoder.decode(MJTask.self, from: Data(data.utf8)) { result.append(task) }
        }
        return result
    }

    // MARK: health

    /// Checks the server answers within 5 s (a pool that cannot connect would otherwise keep `/ready` waiting).
    public func ping() async throws {
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.client.exec("SELECT 1", logger: self.logger)
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard answered else { throw PostgresStoreError(configuration, "no answer within 5 s") }
    }

    /// Nothing to release: the pool closes its connections when `run` ends.
    public func close() async throws {}
}

/// A store operation that failed; names the server by its redacted URL and never shows the password.
public struct PostgresStoreError: Error, CustomStringConvertible {
    public var description: String

    /// Describes `what` failed, with postgres-nio's details of `error` (the password scrubbed should it ever appear).
    init(_ configuration: PostgresStoreConfiguration, _ what: String, _ error: (any Error)? = nil) {
        var text = "PostgreSQL store \(configuration.redacted): \(what)"
        if let error { text += ": " + String(reflecting: error) }
        if let password = configuration.password, !password.isEmpty {
            text = text.replacingOccurrences(of: configuration.redacted, with: "\u{0}")
                .replacingOccurrences(of: password, with: "***")
                .replacingOccurrences(of: "\u{0}", with: configuration.redacted)
        }
        description = text
    }
}
