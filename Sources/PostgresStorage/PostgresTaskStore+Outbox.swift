import DiscordKit
import Logging
import PostgresNIO
import ProxyCore

/// The webhook outbox and the channel cursors, with the SQLite store's semantics.
extension PostgresTaskStore {
    public func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery] {
        // The oldest delivery of each task (by sequence, then id); due when its time has come or when a
        // newer state of the same task supersedes it.
        let query: PostgresQuery = """
            SELECT id, task_id, sequence, event, url, body, delivery_id, attempts, created_at, next_attempt, newer FROM (
                SELECT o.*, EXISTS (SELECT 1 FROM webhook_outbox n WHERE n.task_id = o.task_id
                                    AND (n.sequence > o.sequence OR (n.sequence = o.sequence AND n.id > o.id))) AS newer
                FROM webhook_outbox o
                WHERE NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.task_id = o.task_id
                                  AND (p.sequence < o.sequence OR (p.sequence = o.sequence AND p.id < o.id)))
                  AND o.task_id <> ALL(\(Array(excluding)))
            ) d
            WHERE d.next_attempt <= \(now) OR d.newer
            ORDER BY d.id LIMIT \(max(0, limit))
            """
        var result: [OutboxDelivery] = []
        let rows = try await client.query(query, logger: logger)
            .decode((Int64, String, Int64, String, String, String, String, Int32, Int64, Int64, Bool).self)
        for try await (id, taskId, sequence, event, url, body, deliveryId, attempts, createdAt, nextAttempt, newer) in rows {
            guard let event = TaskEvent(rawValue: event) else { continue }
            result.append(
                OutboxDelivery(
                    id: id, taskId: taskId, sequence: sequence, event: event, url: url, body: body, deliveryId: deliveryId,
                    attempts: Int(attempts), createdAt: createdAt, nextAttempt: nextAttempt, superseded: newer))
        }
        return result
    }

    /// Claims the due deliveries in one statement: rows claimed by another instance (`claimed_until` in the
    /// future, by the server's clock) are left out, and the UPDATE re-checks the claim on each row as it
    /// locks it, so of two instances claiming at once exactly one gets a row. A task's later deliveries wait
    /// behind its claimed head, so deliveries of one task stay in order across instances.
    public func claimDueDeliveries(now: Int64, limit: Int, excluding: Set<String>, claim: Duration) async throws -> [OutboxDelivery] {
        let serverNow = "(extract(epoch from clock_timestamp()) * 1000)::bigint"
        let claimMillis = claim.wholeMilliseconds
        let query: PostgresQuery = """
            WITH due AS (
                SELECT id, newer FROM (
                    SELECT o.id, o.next_attempt, o.claimed_until,
                        EXISTS (SELECT 1 FROM webhook_outbox n WHERE n.task_id = o.task_id
                                AND (n.sequence > o.sequence OR (n.sequence = o.sequence AND n.id > o.id))) AS newer
                    FROM webhook_outbox o
                    WHERE NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.task_id = o.task_id
                                      AND (p.sequence < o.sequence OR (p.sequence = o.sequence AND p.id < o.id)))
                      AND o.task_id <> ALL(\(Array(excluding)))
                ) d
                WHERE (d.next_attempt <= \(now) OR d.newer) AND d.claimed_until <= \(unescaped: serverNow)
                ORDER BY d.id LIMIT \(max(0, limit))
            )
            UPDATE webhook_outbox o SET claimed_until = \(unescaped: serverNow) + \(claimMillis)
            FROM due WHERE o.id = due.id AND o.claimed_until <= \(unescaped: serverNow)
            RETURNING o.id, o.task_id, o.sequence, o.event, o.url, o.body, o.delivery_id, o.attempts, o.created_at, o.next_attempt, due.newer
            """
        var result: [OutboxDelivery] = []
        let rows = try await client.query(query, logger: logger)
            .decode((Int64, String, Int64, String, String, String, String, Int32, Int64, Int64, Bool).self)
        for try await (id, taskId, sequence, event, url, body, deliveryId, attempts, createdAt, nextAttempt, newer) in rows {
            guard let event = TaskEvent(rawValue: event) else { continue }
            result.append(
                OutboxDelivery(
                    id: id, taskId: taskId, sequence: sequence, event: event, url: url, body: body, deliveryId: deliveryId,
                    attempts: Int(attempts), createdAt: createdAt, nextAttempt: nextAttempt, superseded: newer))
        }
        return result.sorted { $0.id < $1.id }
    }

    public func removeDelivery(id: Int64) async throws {
        try await client.exec("DELETE FROM webhook_outbox WHERE id = \(id)", logger: logger)
    }

    public func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws {
        let attempts = Int32(clamping: attempts)
        // The claim ends with the attempt: the retry may be sent by any instance.
        try await client.exec(
            "UPDATE webhook_outbox SET attempts = \(attempts), next_attempt = \(nextAttempt), claimed_until = 0 WHERE id = \(id)", logger: logger)
    }

    public func outboxDepth() async throws -> Int {
        var n: Int64 = 0
        for try await count in try await client.query("SELECT COUNT(*) FROM webhook_outbox", logger: logger).decode(Int64.self) { n = count }
        return Int(n)
    }

    public func nextDeliveryTime() async throws -> Int64? {
        var t: Int64?
        for try await next in try await client.query("SELECT MIN(next_attempt) FROM webhook_outbox", logger: logger).decode(Int64?.self) { t = next }
        return t
    }

    // MARK: cursors

    public func cursor(channelId: String) async throws -> String? {
        var id: String?
        for try await m in try await client.query("SELECT message_id FROM channel_cursors WHERE channel_id = \(channelId)", logger: logger)
            .decode(String.self)
        {
            id = m
        }
        return id
    }

    public func advanceCursor(channelId: String, messageId: String) async throws {
        guard !messageId.isEmpty, messageId.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return }
        // Snowflakes compare by length, then bytewise (as `Snowflake.compare`): the cursor only moves
        // forward, also against concurrent writers (the WHERE sees the row as locked by this statement).
        try await client.exec(
            """
            INSERT INTO channel_cursors (channel_id, message_id) VALUES (\(channelId), \(messageId))
            ON CONFLICT (channel_id) DO UPDATE SET message_id = excluded.message_id
            WHERE length(excluded.message_id) > length(channel_cursors.message_id)
               OR (length(excluded.message_id) = length(channel_cursors.message_id)
                   AND excluded.message_id COLLATE "C" > channel_cursors.message_id COLLATE "C")
            """, logger: logger)
    }
}
