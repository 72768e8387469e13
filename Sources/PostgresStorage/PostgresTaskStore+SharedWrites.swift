import Logging
import PostgresNIO
import ProxyCore

/// A finished state written by an instance that does not run the task (a cancel sent to another
/// instance): a compare-and-set on `finished`, announced like every task write.
extension PostgresTaskStore: SharedTaskWrites {
    public func finishIfUnfinished(_ task: MJTask, outbox: [OutboxDelivery]) async throws -> Bool {
        try await write(task, outbox: outbox, expected: nil)
    }

    public func replaceIfStatus(_ task: MJTask, expected: TaskStatus, outbox: [OutboxDelivery]) async throws -> Bool {
        try await write(task, outbox: outbox, expected: expected)
    }

    /// The conditional write: the row must be unfinished, and have status `expected` when given.
    private func write(_ task: MJTask, outbox: [OutboxDelivery], expected: TaskStatus?) async throws -> Bool {
        let data = task.storeDocument
        let update: PostgresQuery = """
            WITH written AS (
                UPDATE tasks SET status = \(task.status.rawValue), account_id = \(task.accountId), finished = \(task.status.isFinished),
                    revision = GREATEST(tasks.revision + 1, \(task.revision ?? 0)), data = \(data)
                WHERE id = \(task.id) AND NOT finished AND (\(expected?.rawValue)::text IS NULL OR status = \(expected?.rawValue))
                RETURNING id, revision, account_id, status
            )
            SELECT pg_notify(\(changeChannel), json_build_object('t', id, 'r', revision, 'a', account_id, 's', status, 'i', \(instanceId)::text)::text)
            FROM written
            """
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { conn in
            let rows = try await conn.query(update, logger: logger).collect()
            guard !rows.isEmpty else { return false }
            for d in outbox {
                try await conn.exec(
                    """
                    INSERT INTO webhook_outbox (task_id, sequence, event, url, body, delivery_id, attempts, created_at, next_attempt)
                    VALUES (\(d.taskId), \(d.sequence), \(d.event.rawValue), \(d.url), \(d.body), \(d.deliveryId), \(d.attempts), \(d.createdAt), \(d.nextAttempt))
                    """, logger: logger)
            }
            return true
        }
    }
}
