import Logging
import PostgresNIO

/// Ordered schema migrations of the PostgreSQL store; `schema_version` (one row) records how many ran.
///
/// `migrate` runs every pending step in one transaction under a transaction-scoped advisory lock keyed
/// by the schema, so two processes starting at once apply each step exactly once (the second waits, then
/// finds nothing to do), and a failed start leaves the schema as it was.
enum PostgresMigrations {
    /// Each step is a list of statements; append new steps, never edit released ones.
    static let all: [[String]] = [
        [
            // Tasks as JSON documents with the indexed columns the queries need. Ids compare bytewise
            // (COLLATE "C"), as in SQLite: Snowflake-shaped ids of one length sort by time.
            """
            CREATE TABLE IF NOT EXISTS tasks (
                id TEXT COLLATE "C" PRIMARY KEY,
                status TEXT NOT NULL,
                account_id TEXT,
                submit_time BIGINT NOT NULL,
                finished BOOLEAN NOT NULL,
                revision BIGINT NOT NULL DEFAULT 0,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS tasks_unfinished ON tasks (id) WHERE NOT finished",
            // The durable webhook outbox (written in the task's transaction).
            """
            CREATE TABLE IF NOT EXISTS webhook_outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                task_id TEXT COLLATE "C" NOT NULL,
                sequence BIGINT NOT NULL,
                event TEXT NOT NULL,
                url TEXT NOT NULL,
                body TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                next_attempt BIGINT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS webhook_outbox_task ON webhook_outbox (task_id, sequence, id)",
            "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (next_attempt)",
            // The newest bot message handled per channel.
            """
            CREATE TABLE IF NOT EXISTS channel_cursors (
                channel_id TEXT PRIMARY KEY,
                message_id TEXT NOT NULL
            )
            """,
            // Accounts as data: settings and what the bots last told them, as JSON; `position` keeps
            // insertion order among accounts created in the same millisecond.
            """
            CREATE TABLE IF NOT EXISTS accounts (
                id TEXT PRIMARY KEY,
                position BIGINT GENERATED ALWAYS AS IDENTITY,
                config TEXT NOT NULL,
                origin TEXT NOT NULL,
                bot_state TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL
            )
            """,
        ],
        [
            // Several instances on one database: heartbeats, account leases (times in ms by the server's
            // clock), a claim on webhook deliveries, and values every instance shares.
            """
            CREATE TABLE IF NOT EXISTS instances (
                id TEXT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                last_seen BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS account_leases (
                account_id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS account_leases_instance ON account_leases (instance_id)",
            "ALTER TABLE webhook_outbox ADD COLUMN IF NOT EXISTS claimed_until BIGINT NOT NULL DEFAULT 0",
            """
            CREATE TABLE IF NOT EXISTS shared_settings (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )
            """,
        ],
    ]

    /// The first key of the migration lock ("mjpx"); the second is derived from the schema name.
    static let lockClass: Int32 = 0x6D6A_7078

    /// A stable 32-bit key for `schema` (FNV-1a), so stores in different schemas migrate independently.
    static func lockKey(schema: String) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in schema.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int32(bitPattern: hash)
    }

    /// Creates `schema` when missing and applies the pending steps; returns the schema version after.
    static func migrate(on connection: PostgresConnection, schema: String, logger: Logger) async throws -> Int {
        try await connection.withTransaction(logger: logger) { conn in
            try await conn.exec("SELECT pg_advisory_xact_lock(\(lockClass), \(lockKey(schema: schema)))", logger: logger)
            // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists: ask first.
            let exists = try await conn.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", logger: logger).collect().count > 0
            if !exists {
                try await conn.exec(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
            }
            try await conn.exec(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema)"), logger: logger)
            try await conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", logger: logger)
            var current: Int?
            for try await version in try await conn.query("SELECT version FROM schema_version", logger: logger).decode(Int.self) {
                current = version
            }
            if current == nil { try await conn.exec("INSERT INTO schema_version (version) VALUES (0)", logger: logger) }
            let start = current ?? 0
            for (index, statements) in all.enumerated() where index >= start {
                for sql in statements { try await conn.exec(PostgresQuery(unsafeSQL: sql), logger: logger) }
                try await conn.exec("UPDATE schema_version SET version = \(index + 1)", logger: logger)
                logger.info("PostgreSQL store migrated", metadata: ["schema": "\(schema)", "version": "\(index + 1)"])
            }
            return max(start, all.count)
        }
    }
}

extension PostgresConnection {
    /// Runs a statement and reads its result to the end (so errors surface here and the command has completed).
    func exec(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}

extension PostgresClient {
    /// Runs a statement and reads its result to the end (so errors surface here and the command has completed).
    func exec(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
