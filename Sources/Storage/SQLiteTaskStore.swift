// Storage: TaskStore implementations. SQLite (embedded, the default) lives here; a PostgreSQL
// store for several instances will sit beside it behind the same protocol.

import DiscordKit
import Foundation
import Logging
import ProxyCore
import SQLiteNIO

/// Ordered schema migrations; `schema_version` records how many ran.
enum SQLiteMigrations {
    static let all: [[String]] = [
        [
            """
            CREATE TABLE IF NOT EXISTS tasks (
                id TEXT PRIMARY KEY NOT NULL,
                status TEXT NOT NULL,
                account_id TEXT,
                submit_time INTEGER NOT NULL,
                finished INTEGER NOT NULL,
                data TEXT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS tasks_unfinished ON tasks(finished, id)",
        ]
    ]
}

/// `TaskStore` on one SQLite file (WAL mode); tasks are JSON documents with indexed columns.
public actor SQLiteTaskStore: TaskStore {
    private let connection: SQLiteConnection
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the database at `path` (`:memory:` for an in-memory one) and migrates it.
    public static func open(path: String, logger: Logger) async throws -> SQLiteTaskStore {
        if path != ":memory:" {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        }
        let connection = try await SQLiteConnection.open(storage: path == ":memory:" ? .memory : .file(path: path), logger: logger)
        let store = SQLiteTaskStore(connection: connection)
        try await store.migrate()
        return store
    }

    /// Applies pending migrations inside a transaction each.
    func migrate() async throws {
        if try await connection.query("PRAGMA journal_mode=WAL", []).isEmpty { /* memory databases answer "memory" */ }
        _ = try await connection.query("PRAGMA synchronous=NORMAL", [])
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", [])
        let rows = try await connection.query("SELECT version FROM schema_version", [])
        let current = rows.first?.column("version")?.integer ?? 0
        if rows.isEmpty { _ = try await connection.query("INSERT INTO schema_version (version) VALUES (0)", []) }
        for (index, statements) in SQLiteMigrations.all.enumerated() where index >= current {
            _ = try await connection.query("BEGIN", [])
            do {
                for sql in statements { _ = try await connection.query(sql, []) }
                _ = try await connection.query("UPDATE schema_version SET version = ?", [.integer(index + 1)])
                _ = try await connection.query("COMMIT", [])
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    /// The schema version after migrations.
    public func schemaVersion() async throws -> Int {
        try await connection.query("SELECT version FROM schema_version", []).first?.column("version")?.integer ?? 0
    }

    public func save(_ task: MJTask) async throws {
        let data = String(decoding: try encoder.encode(task), as: UTF8.self)
        _ = try await connection.query(
            """
            INSERT INTO tasks (id, status, account_id, submit_time, finished, data) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET status = excluded.status, account_id = excluded.account_id,
                submit_time = excluded.submit_time, finished = excluded.finished, data = excluded.data
            """,
            [
                .text(task.id), .text(task.status.rawValue), task.accountId.map { .text($0) } ?? .null, .integer(Int(task.submitTime)),
                .integer(task.status.isFinished ? 1 : 0), .text(data),
            ])
    }

    private func decode(_ rows: [SQLiteRow]) throws -> [MJTask] {
        try rows.compactMap { row in
            guard let text = row.column("data")?.string else { return nil }
            return try decoder.decode(MJTask.self, from: Data(text.utf8))
        }
    }

    public func task(id: String) async throws -> MJTask? {
        try decode(try await connection.query("SELECT data FROM tasks WHERE id = ?", [.text(id)])).first
    }

    public func tasks(ids: [String]) async throws -> [MJTask] {
        guard !ids.isEmpty else { return [] }
        var result: [MJTask] = []
        // SQLite limits bound parameters; query in chunks.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            result += try decode(try await connection.query("SELECT data FROM tasks WHERE id IN (\(marks))", chunk.map { .text($0) }))
        }
        return result
    }

    public func list(limit: Int, before: String?) async throws -> [MJTask] {
        if let before {
            return try decode(
                try await connection.query("SELECT data FROM tasks WHERE id < ? ORDER BY id DESC LIMIT ?", [.text(before), .integer(limit)]))
        }
        return try decode(try await connection.query("SELECT data FROM tasks ORDER BY id DESC LIMIT ?", [.integer(limit)]))
    }

    public func unfinished() async throws -> [MJTask] {
        try decode(try await connection.query("SELECT data FROM tasks WHERE finished = 0 ORDER BY id", []))
    }

    /// Closes the database.
    public func close() async throws { try await connection.close() }
}
