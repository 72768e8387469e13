// Storage: TaskStore implementations. SQLite (embedded, the default) lives here; a PostgreSQL
// store for several instances will sit beside it behind the same protocol.

import DiscordKit
import Foundation
import Logging
import ProxyCore
import SQLiteNIO

/// `TaskStore` on one SQLite file (WAL mode: a committed write survives a process crash); tasks are
/// JSON documents with indexed columns, plus the webhook outbox and channel cursors.
/// Operations run one at a time (an actor is re-entrant at every `await`, so `exclusive` queues them
/// first-come-first-served): a multi-statement transaction never interleaves with another caller's
/// statements on the shared connection.
public actor SQLiteTaskStore: TaskStore {
    private let connection: SQLiteConnection
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Saves waiting for the batch being written (SQLiteTaskStore+Writes.swift).
    var writes = WriteQueue()

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

    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        try await connection.query(sql, binds)
    }

    /// Runs `body` alone on the connection (no other operation of this store interleaves).
    func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }  // handed over by `leave` with busy kept
        } else {
            busy = true
        }
        defer { leave() }
        return try await body()
    }

    private func leave() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on error); caller holds the gate.
    func transaction(_ body: () async throws -> Void) async throws {
        _ = try await query("BEGIN IMMEDIATE")
        do {
            try await body()
            _ = try await query("COMMIT")
        } catch {
            _ = try? await query("ROLLBACK")
            throw error
        }
    }

    /// Applies pending migrations inside a transaction each.
    func migrate() async throws {
        try await exclusive {
            _ = try await query("PRAGMA journal_mode=WAL")
            _ = try await query("PRAGMA synchronous=NORMAL")
            _ = try await query("PRAGMA busy_timeout=5000")
            _ = try await query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            let rows = try await query("SELECT version FROM schema_version")
            let current = rows.first?.column("version")?.integer ?? 0
            if rows.isEmpty { _ = try await query("INSERT INTO schema_version (version) VALUES (0)") }
            for (index, statements) in SQLiteMigrations.all.enumerated() where index >= current {
                try await transaction {
                    for sql in statements { _ = try await query(sql) }
                    _ = try await query("UPDATE schema_version SET version = ?", [.integer(index + 1)])
                }
            }
        }
    }

    /// The schema version after migrations.
    public func schemaVersion() async throws -> Int {
        try await exclusive { try await query("SELECT version FROM schema_version").first?.column("version")?.integer ?? 0 }
    }

    // MARK: tasks (saves: SQLiteTaskStore+Writes.swift)

    private func decode(_ rows: [SQLiteRow]) throws -> [MJTask] {
        try rows.compactMap { row in
            guard let text = row.column("data")?.string else { return nil }
            return try decoder.decode(MJTask.self, from: Data(text.utf8))
        }
    }

    public func task(id: String) async throws -> MJTask? {
        try await exclusive { try decode(try await query("SELECT data FROM tasks WHERE id = ?", [.text(id)])).first }
    }

    public func tasks(ids: [String]) async throws -> [MJTask] {
        guard !ids.isEmpty else { return [] }
        return try await exclusive {
            var result: [MJTask] = []
            // SQLite limits bound parameters; query in chunks.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                result += try decode(try await query("SELECT data FROM tasks WHERE id IN (\(marks))", chunk.map { .text($0) }))
            }
            return result
        }
    }

    public func list(limit: Int, before: String?) async throws -> [MJTask] {
        try await exclusive {
            if let before {
                return try decode(try await query("SELECT data FROM tasks WHERE id < ? ORDER BY id DESC LIMIT ?", [.text(before), .integer(limit)]))
            }
            return try decode(try await query("SELECT data FROM tasks ORDER BY id DESC LIMIT ?", [.integer(limit)]))
        }
    }

    public func unfinished() async throws -> RecoveredTasks {
        let rows = try await exclusive { try await query("SELECT id, data FROM tasks WHERE finished = 0 ORDER BY id") }
        var result = RecoveredTasks(tasks: [])
        for row in rows {
            let id = row.column("id")?.string ?? "?"
            guard let text = row.column("data")?.string, let task = try? decoder.decode(MJTask.self, from: Data(text.utf8)) else {
                result.skipped.append(id)
                continue
            }
            result.tasks.append(task)
        }
        return result
    }

    // MARK: outbox

    public func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery] {
        let rows = try await exclusive {
            // The oldest delivery of each task; due when its time has come or a newer state supersedes it.
            try await query(
                """
                SELECT o.*, EXISTS (SELECT 1 FROM webhook_outbox n WHERE n.task_id = o.task_id
                                    AND (n.sequence > o.sequence OR (n.sequence = o.sequence AND n.id > o.id))) AS newer
                FROM webhook_outbox o
                WHERE NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.task_id = o.task_id
                                  AND (p.sequence < o.sequence OR (p.sequence = o.sequence AND p.id < o.id)))
                  AND (o.next_attempt <= ? OR newer = 1)
                ORDER BY o.id LIMIT ?
                """, [.integer(Int(now)), .integer(limit + excluding.count)])
        }
        return rows.compactMap { row -> OutboxDelivery? in
            guard let id = row.column("id")?.integer, let taskId = row.column("task_id")?.string, !excluding.contains(taskId),
                let event = row.column("event")?.string.flatMap(TaskEvent.init(rawValue:)), let url = row.column("url")?.string,
                let body = row.column("body")?.string, let deliveryId = row.column("delivery_id")?.string
            else { return nil }
            return OutboxDelivery(
                id: Int64(id), taskId: taskId, sequence: Int64(row.column("sequence")?.integer ?? 0), event: event, url: url, body: body,
                deliveryId: deliveryId, attempts: row.column("attempts")?.integer ?? 0, createdAt: Int64(row.column("created_at")?.integer ?? 0),
                nextAttempt: Int64(row.column("next_attempt")?.integer ?? 0), superseded: (row.column("newer")?.integer ?? 0) != 0)
        }.prefix(limit).map { $0 }
    }

    public func removeDelivery(id: Int64) async throws {
        try await exclusive { _ = try await query("DELETE FROM webhook_outbox WHERE id = ?", [.integer(Int(id))]) }
    }

    public func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws {
        try await exclusive {
            _ = try await query(
                "UPDATE webhook_outbox SET attempts = ?, next_attempt = ? WHERE id = ?", [.integer(attempts), .integer(Int(nextAttempt)), .integer(Int(id))])
        }
    }

    public func outboxDepth() async throws -> Int {
        try await exclusive { try await query("SELECT COUNT(*) AS n FROM webhook_outbox").first?.column("n")?.integer ?? 0 }
    }

    public func nextDeliveryTime() async throws -> Int64? {
        try await exclusive { try await query("SELECT MIN(next_attempt) AS t FROM webhook_outbox").first?.column("t")?.integer.map(Int64.init) }
    }

    // MARK: cursors

    public func cursor(channelId: String) async throws -> String? {
        try await exclusive { try await query("SELECT message_id FROM channel_cursors WHERE channel_id = ?", [.text(channelId)]).first?.column("message_id")?.string }
    }

    public func advanceCursor(channelId: String, messageId: String) async throws {
        guard !messageId.isEmpty, messageId.allSatisfy(\.isASCIIDigit) else { return }
        try await exclusive {
            // Snowflakes compare by length, then digits: the cursor only moves forward.
            _ = try await query(
                """
                INSERT INTO channel_cursors (channel_id, message_id) VALUES (?, ?)
                ON CONFLICT(channel_id) DO UPDATE SET message_id = excluded.message_id
                WHERE length(excluded.message_id) > length(channel_cursors.message_id)
                   OR (length(excluded.message_id) = length(channel_cursors.message_id) AND excluded.message_id > channel_cursors.message_id)
                """, [.text(channelId), .text(messageId)])
        }
    }

    /// Runs one statement as is (tests: e.g. damaging a row to check recovery).
    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await exclusive { try await query(sql, binds) }
    }

    public func ping() async throws {
        _ = try await exclusive { try await query("SELECT 1 AS one") }
    }

    /// Closes the database.
    public func close() async throws { try await connection.close() }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
