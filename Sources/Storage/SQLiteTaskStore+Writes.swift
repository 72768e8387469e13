import DiscordKit
import Foundation
import ProxyCore
import SQLiteNIO

// Group commit for task writes. Every change of every task is written through (that is what makes a
// restart lose nothing), so under load the store sees hundreds of saves a second, each of them a
// statement on the thread pool plus, with webhook deliveries, a transaction. Saves that arrive while
// a batch is being written wait and go together into the next one: one multi-row upsert (and one
// multi-row outbox insert) in one transaction. Each caller still returns only once its own row is
// committed, so durability is unchanged; only the number of round trips shrinks.

/// A task row, encoded outside the store's actor (the document is the costly part of a save).
struct TaskRow: Sendable {
    let id: String
    let revision: Int64
    let binds: [SQLiteData]

    /// The columns of `tasks` for `task`.
    init(_ task: MJTask) {
        let data = task.storeDocument
        id = task.id
        revision = task.revision ?? 0
        binds = [
            .text(task.id), .text(task.status.rawValue), task.accountId.map { .text($0) } ?? .null, .integer(Int(task.submitTime)),
            .integer(task.status.isFinished ? 1 : 0), .text(data), .integer(Int(task.revision ?? 0)),
        ]
    }
}

/// One save: its row and the webhook deliveries its change produced.
struct PendingSave: Sendable {
    let row: TaskRow
    let outbox: [OutboxDelivery]
}

/// What a waiting save is told: written (with the outcome), or that it writes the next batch.
enum WriteTicket: Sendable {
    case written(Result<Void, any Error>)
    case lead
}

/// The saves waiting for the batch being written, and whether one is being written.
struct WriteQueue {
    var leaderActive = false
    var waiting: [(save: PendingSave, ticket: CheckedContinuation<WriteTicket, Never>)] = []
}

extension SQLiteTaskStore {
    /// Rows per multi-row statement (SQLite binds at most 32,766 parameters per statement).
    static let rowsPerStatement = 400

    public nonisolated func save(_ task: MJTask, outbox: [OutboxDelivery]) async throws {
        let save = PendingSave(row: TaskRow(task), outbox: outbox)
        try await write(save)
    }

    /// Writes `save`, batched with the saves that wait meanwhile; returns once it is committed.
    func write(_ save: PendingSave) async throws {
        if writes.leaderActive {
            let ticket = await withCheckedContinuation { writes.waiting.append((save, $0)) }
            if case .written(let outcome) = ticket { return try outcome.get() }
            // Handed the lead: write the next batch (this save is not in `waiting` any more).
        } else {
            writes.leaderActive = true
        }
        let others = writes.waiting
        writes.waiting = []
        let outcomes = await writeBatch([save] + others.map(\.save))
        for (i, other) in others.enumerated() { other.ticket.resume(returning: .written(outcomes[i + 1])) }
        // The next batch is written by the first save that waits for it (no writer task of our own).
        if writes.waiting.isEmpty {
            writes.leaderActive = false
        } else {
            writes.waiting.removeFirst().ticket.resume(returning: .lead)
        }
        try outcomes[0].get()
    }

    /// Writes a batch in one transaction; if that fails, each save alone (one bad row fails only itself).
    private func writeBatch(_ batch: [PendingSave]) async -> [Result<Void, any Error>] {
        do {
            try await exclusive { try await writeRows(batch) }
            return Array(repeating: .success(()), count: batch.count)
        } catch {
            guard batch.count > 1 else { return [.failure(error)] }
            var outcomes: [Result<Void, any Error>] = []
            for save in batch {
                do {
                    try await exclusive { try await writeRows([save]) }
                    outcomes.append(.success(()))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            return outcomes
        }
    }

    /// The batch's statements (caller holds the gate): one upsert per task (its newest revision in the
    /// batch), every outbox delivery; in a transaction unless it is a single statement.
    private func writeRows(_ batch: [PendingSave]) async throws {
        var newest: [String: TaskRow] = [:]
        var order: [String] = []
        for save in batch {
            if let seen = newest[save.row.id] {
                if save.row.revision >= seen.revision { newest[save.row.id] = save.row }
            } else {
                newest[save.row.id] = save.row
                order.append(save.row.id)
            }
        }
        let rows = order.compactMap { newest[$0] }
        let deliveries = batch.flatMap(\.outbox)
        let statements = {
            for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
                try await self.upsert(Array(rows[start..<min(rows.count, start + Self.rowsPerStatement)]))
            }
            for start in stride(from: 0, to: deliveries.count, by: Self.rowsPerStatement) {
                try await self.insert(Array(deliveries[start..<min(deliveries.count, start + Self.rowsPerStatement)]))
            }
        }
        if deliveries.isEmpty && rows.count <= Self.rowsPerStatement {
            try await statements()
        } else {
            try await transaction(statements)
        }
    }

    /// One multi-row upsert; a stale row (older revision) or one that would reopen a finished task changes nothing.
    private func upsert(_ rows: [TaskRow]) async throws {
        guard !rows.isEmpty else { return }
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", ")
        _ = try await query(
            """
            INSERT INTO tasks (id, status, account_id, submit_time, finished, data, revision) VALUES \(values)
            ON CONFLICT(id) DO UPDATE SET status = excluded.status, account_id = excluded.account_id,
                submit_time = excluded.submit_time, finished = excluded.finished, data = excluded.data, revision = excluded.revision
            WHERE tasks.revision <= excluded.revision AND (tasks.finished = 0 OR excluded.finished = 1)
            """, rows.flatMap(\.binds))
    }

    /// One multi-row insert of webhook deliveries.
    private func insert(_ deliveries: [OutboxDelivery]) async throws {
        guard !deliveries.isEmpty else { return }
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: deliveries.count).joined(separator: ", ")
        let binds: [SQLiteData] = deliveries.flatMap { d -> [SQLiteData] in
            [
                .text(d.taskId), .integer(Int(d.sequence)), .text(d.event.rawValue), .text(d.url), .text(d.body), .text(d.deliveryId),
                .integer(d.attempts), .integer(Int(d.createdAt)), .integer(Int(d.nextAttempt)),
            ]
        }
        _ = try await query(
            """
            INSERT INTO webhook_outbox (task_id, sequence, event, url, body, delivery_id, attempts, created_at, next_attempt)
            VALUES \(values)
            """, binds)
    }
}
