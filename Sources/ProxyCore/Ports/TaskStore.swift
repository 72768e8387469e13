import DiscordKit

/// Where tasks, the webhook outbox and the channel cursors live. SQLite by default, PostgreSQL for
/// several instances; the rest of the proxy only sees this protocol.
///
/// Guarantees every implementation keeps:
/// - `save` writes the task and its outbox deliveries in one transaction;
/// - a write never replaces a newer revision of the same task (`revision` lower than the stored one), and never turns a finished task back
///   into an unfinished one (stale writes are ignored, not errors);
/// - `unfinished` skips rows it cannot read instead of failing.
public protocol TaskStore: Sendable {
    /// Inserts or replaces a task (if `task.revision` is newer than the stored one) together with
    /// the webhook deliveries its change produced, atomically.
    func save(_ task: MJTask, outbox: [OutboxDelivery]) async throws
    /// One task by id.
    func task(id: String) async throws -> MJTask?
    /// Tasks by ids, in no particular order; unknown ids are skipped.
    func tasks(ids: [String]) async throws -> [MJTask]
    /// Newest first (id descending), only ids below `before` when given.
    func list(limit: Int, before: String?) async throws -> [MJTask]
    /// Every task that is not finished (for recovery after a restart), oldest first; unreadable rows
    /// are reported in `skipped` and left in place.
    func unfinished() async throws -> RecoveredTasks
    /// The readable unfinished tasks of `accounts`, oldest first (an instance of several taking over its accounts' tasks).
    func unfinished(accounts: Set<String>) async throws -> [MJTask]

    // MARK: webhook outbox

    /// The oldest pending delivery of each task whose `nextAttempt` is due, tasks in `excluding` left out.
    func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery]
    /// `dueDeliveries` for sending: with several instances on one store, each returned delivery is claimed
    /// for `claim` (no other instance gets it until it is removed, rescheduled or the claim runs out), so
    /// exactly one instance sends it. A single-process store answers `dueDeliveries`.
    func claimDueDeliveries(now: Int64, limit: Int, excluding: Set<String>, claim: Duration) async throws -> [OutboxDelivery]
    /// Removes a delivery (sent, superseded or given up).
    func removeDelivery(id: Int64) async throws
    /// Records a failed attempt and when to try again.
    func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws
    /// Deliveries not sent yet.
    func outboxDepth() async throws -> Int
    /// The earliest `nextAttempt` of any pending delivery.
    func nextDeliveryTime() async throws -> Int64?

    // MARK: channel cursors

    /// The newest bot message handled in a channel (history catch-up starts after it).
    func cursor(channelId: String) async throws -> String?
    /// Moves a channel's cursor forward (never backwards).
    func advanceCursor(channelId: String, messageId: String) async throws

    /// Checks the store answers (for `/ready`).
    func ping() async throws
    /// Releases the store's connections (at shutdown).
    func close() async throws
}

extension TaskStore {
    /// `unfinished()` filtered (stores without an account index).
    public func unfinished(accounts: Set<String>) async throws -> [MJTask] {
        try await unfinished().tasks.filter { $0.accountId.map(accounts.contains) ?? false }
    }

    /// One process sends everything in its store: nothing to claim.
    public func claimDueDeliveries(now: Int64, limit: Int, excluding: Set<String>, claim: Duration) async throws -> [OutboxDelivery] {
        try await dueDeliveries(now: now, limit: limit, excluding: excluding)
    }

    /// Saves a task with no webhook delivery.
    public func save(_ task: MJTask) async throws { try await save(task, outbox: []) }
}

/// What recovery read: the unfinished tasks, and the ids of rows that could not be decoded.
public struct RecoveredTasks: Sendable {
    public var tasks: [MJTask]
    public var skipped: [String]

    /// Creates a result.
    public init(tasks: [MJTask], skipped: [String] = []) {
        self.tasks = tasks
        self.skipped = skipped
    }
}

/// Whether `new` may replace `old` in a store: not an older revision, and never finished → unfinished.
public func storeAccepts(_ new: MJTask, over old: MJTask?) -> Bool {
    guard let old else { return true }
    if old.status.isFinished && !new.status.isFinished { return false }
    return (new.revision ?? 0) >= (old.revision ?? 0)
}

/// An in-memory `TaskStore` (tests, and a fallback when persistence is off).
public actor MemoryTaskStore: TaskStore {
    private var byId: [String: MJTask] = [:]
    private var outbox: [Int64: OutboxDelivery] = [:]
    private var nextOutboxId: Int64 = 1
    private var cursors: [String: String] = [:]
    /// Accounts (see `AccountStore`), oldest first.
    var accountRecords: [AccountRecord] = []

    /// Creates an empty store.
    public init() {}

    public func save(_ task: MJTask, outbox deliveries: [OutboxDelivery]) async throws {
        if storeAccepts(task, over: byId[task.id]) { byId[task.id] = task }
        for var d in deliveries {
            d.id = nextOutboxId
            nextOutboxId += 1
            outbox[d.id] = d
        }
    }
    public func task(id: String) async throws -> MJTask? { byId[id] }
    public func tasks(ids: [String]) async throws -> [MJTask] { ids.compactMap { byId[$0] } }
    public func list(limit: Int, before: String?) async throws -> [MJTask] {
        let sorted = byId.keys.sorted(by: >).filter { key in before.map { key < $0 } ?? true }
        return sorted.prefix(limit).compactMap { byId[$0] }
    }
    public func unfinished() async throws -> RecoveredTasks {
        RecoveredTasks(tasks: byId.values.filter { !$0.status.isFinished }.sorted { $0.id < $1.id })
    }

    public func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery] {
        // As the SQL stores: the oldest delivery of each task by (sequence, id); due when its time has come
        // or when a newer state of the task supersedes it.
        var oldest: [String: OutboxDelivery] = [:]
        var pending: [String: Int] = [:]
        for d in outbox.values {
            pending[d.taskId, default: 0] += 1
            if let o = oldest[d.taskId], (o.sequence, o.id) < (d.sequence, d.id) {} else { oldest[d.taskId] = d }
        }
        return oldest.values
            .map { d in
                var d = d
                d.superseded = pending[d.taskId, default: 1] > 1
                return d
            }
            .filter { ($0.nextAttempt <= now || $0.superseded) && !excluding.contains($0.taskId) }
            .sorted { $0.id < $1.id }
            .prefix(limit)
            .map { $0 }
    }
    public func removeDelivery(id: Int64) async throws { outbox[id] = nil }
    public func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws {
        outbox[id]?.attempts = attempts
        outbox[id]?.nextAttempt = nextAttempt
    }
    public func outboxDepth() async throws -> Int { outbox.count }
    public func nextDeliveryTime() async throws -> Int64? { outbox.values.map(\.nextAttempt).min() }

    public func cursor(channelId: String) async throws -> String? { cursors[channelId] }
    public func advanceCursor(channelId: String, messageId: String) async throws {
        if let old = cursors[channelId], Snowflake.compare(old, messageId) >= 0 { return }
        cursors[channelId] = messageId
    }

    public func ping() async throws {}
    public func close() async throws {}
}
