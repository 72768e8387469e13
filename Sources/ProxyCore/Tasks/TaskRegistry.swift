import DiscordKit
import Logging

/// The single owner of task state: unfinished tasks in memory, every change written through to
/// the store first (with its webhook deliveries, in one transaction), then announced to the sinks.
/// The exception is a running job's progress without a webhook to deliver: written within a second
/// (`flushProgress`) or with the task's next change.
/// Accounts and the HTTP layer go through it.
///
/// Every write raises the task's `revision`, so the store ignores a write that arrives after a newer
/// one; a finished task never changes again (except for its cached image seed).
public actor TaskRegistry {
    let store: any TaskStore
    private var sinks: [any TaskEventSink]
    private var webhooks: WebhookPlan?
    var live: [String: MJTask] = [:]
    /// Finished tasks with an `amend` being written (a concurrent amend builds on it).
    var amending: [String: MJTask] = [:]
    /// Finished tasks whose last write is not committed yet (they are no longer in `live`).
    var unsaved: [String: MJTask] = [:]
    /// Progress-only changes not written yet (see `write`), by task id: written by `flushProgress`, or
    /// superseded by the task's next write.
    var deferredProgress: [String: MJTask] = [:]
    /// Tasks that finished here recently: a store read that raced their last write never brings them back (cluster pick-up).
    var finishedHere = BoundedDictionary<String, Bool>(capacity: 20_000)
    let logger: Logger
    /// Counts created and finished tasks (synchronously, no hop).
    let metrics: ProxyMetrics
    /// Encoded JSON of recent tasks for the read path (no actor hop, no store read).
    public nonisolated let cache: TaskJSONCache

    /// Creates a registry over `store`; with `webhooks`, visible changes are put in the store's outbox.
    public init(
        store: any TaskStore, sinks: [any TaskEventSink] = [], webhooks: WebhookPlan? = nil, cache: TaskJSONCache = TaskJSONCache(), logger: Logger,
        metrics: ProxyMetrics = ProxyMetrics()
    ) {
        self.metrics = metrics
        self.store = store
        self.cache = cache
        self.sinks = sinks
        self.webhooks = webhooks
        self.logger = logger
    }

    /// Replaces which changes become webhook deliveries (live configuration: the global hook).
    public func setWebhookPlan(_ plan: WebhookPlan?) { webhooks = plan }

    /// Adds a sink (e.g. the webhook dispatcher's wake-up) before tasks flow.
    public func addSink(_ sink: any TaskEventSink) { sinks.append(sink) }

    /// Stores a new task.
    public func create(_ task: MJTask) async throws {
        var task = task
        task.revision = (task.revision ?? 0) + 1
        let event = TaskEvent.between(nil, task)
        let json = task.json.compactString
        // In memory before the write commits: a concurrent pick-up that reads the new row finds it here.
        if !task.status.isFinished { live[task.id] = task }
        do {
            try await store.save(task, outbox: outboxDeliveries(task, json, event))
        } catch {
            if live[task.id]?.revision == task.revision { live[task.id] = nil }
            throw error
        }
        cache.put(task.id, Array(json.utf8), revision: task.revision ?? 0)
        metrics.taskCreated(task)
        if let event { await announce(task, event) }
    }

    /// Loads the unfinished tasks of the store into memory (startup recovery) and returns them.
    /// Rows that cannot be read are logged and skipped: one bad row does not stop recovery.
    public func recover() async throws -> [MJTask] {
        let recovered = try await store.unfinished()
        if !recovered.skipped.isEmpty {
            logger.error("unreadable task rows skipped during recovery", metadata: ["ids": "\(recovered.skipped.prefix(20))"])
        }
        for t in recovered.tasks { live[t.id] = t }
        return recovered.tasks
    }

    /// One task (memory first, then the store).
    public func task(id: String) async throws -> MJTask? {
        if let t = live[id] ?? amending[id] ?? unsaved[id] { return t }
        let stored = try await store.task(id: id)
        // Only where no newer state was cached meanwhile (a write may have raced this read).
        if let stored { cache.putIfAbsent(stored) }
        return amending[id] ?? unsaved[id] ?? stored
    }

    /// An unfinished task from memory (nil when finished or unknown): no store read.
    public func liveTask(id: String) -> MJTask? { live[id] }

    /// Tasks by id in request order, deduplicated, unknown skipped.
    public func tasks(ids: [String]) async throws -> [MJTask] {
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        let missing = unique.filter { live[$0] == nil && unsaved[$0] == nil && amending[$0] == nil }
        var found: [String: MJTask] = [:]
        for t in try await store.tasks(ids: missing) {
            found[t.id] = t
            cache.putIfAbsent(t)
        }
        return unique.compactMap { live[$0] ?? amending[$0] ?? unsaved[$0] ?? found[$0] }
    }

    /// Newest first, paged by `before`.
    public func list(limit: Int, before: String?) async throws -> [MJTask] { try await store.list(limit: limit, before: before) }

    /// Unfinished tasks in `statuses`, oldest first.
    public func unfinished(in statuses: Set<TaskStatus>) -> [MJTask] {
        live.values.filter { statuses.contains($0.status) }.sorted { $0.id < $1.id }
    }

    /// Applies `mutate` to an unfinished task, stores it and announces the visible change.
    /// Returns the new task, or nil when the task is unknown or already finished.
    @discardableResult
    public func update(_ id: String, _ mutate: @Sendable (inout MJTask) -> Void) async -> MJTask? {
        guard let old = live[id] else { return nil }
        return await write(old, mutate)
    }

    /// Compare-and-set: applies `mutate` only when the task's status is one of `from` (checked and
    /// changed in one step, so two concurrent callers cannot both win). Nil when it was not.
    @discardableResult
    public func transition(_ id: String, from: Set<TaskStatus>, _ mutate: @Sendable (inout MJTask) -> Void) async -> MJTask? {
        guard let old = live[id], from.contains(old.status) else { return nil }
        return await write(old, mutate)
    }

    private func write(_ old: MJTask, _ mutate: @Sendable (inout MJTask) -> Void) async -> MJTask {
        var new = old
        mutate(&new)
        new.revision = (old.revision ?? 0) + 1
        let event = TaskEvent.between(old, new)
        if event != nil { new.sequence = old.sequence + 1 }
        // Memory changes before the store write, so a concurrent update builds on this one.
        if new.status.isFinished { live[new.id] = nil } else { live[new.id] = new }
        // Encoded once: the read cache and the webhook outbox carry the same bytes.
        let json = new.json.compactString
        cache.put(new.id, Array(json.utf8), revision: new.revision ?? 0)
        // A finished task leaves `live`: until its row is committed (saves are batched), reads get it here.
        if new.status.isFinished {
            unsaved[new.id] = new
            finishedHere[new.id] = true
        }
        let outbox = outboxDeliveries(new, json, event)
        if outbox.isEmpty, Self.onlyProgressChanged(old, new) {
            // A running job's progress (percentage, preview, activity time): kept in memory and the read cache,
            // written with the task's next change or by the next `flushProgress` (within a second). A crash loses
            // at most that much progress, never a state: every other change is written before this returns.
            deferredProgress[new.id] = new
        } else {
            deferredProgress[new.id] = nil
            do {
                try await store.save(new, outbox: outbox)
            } catch {
                logger.error("task store write failed", metadata: new.logMetadata(["error": "\(error)"]))
            }
        }
        if unsaved[new.id]?.revision == new.revision { unsaved[new.id] = nil }
        if let event { await announce(new, event) }
        return new
    }

    /// Whether `new` differs from `old` only in what a running job's progress changes: both IN_PROGRESS,
    /// the same in every field but progress, preview image and activity time.
    static func onlyProgressChanged(_ old: MJTask, _ new: MJTask) -> Bool {
        guard old.status == .inProgress, new.status == .inProgress else { return false }
        var same = new
        same.progress = old.progress
        same.imageUrl = old.imageUrl
        same.lastActivity = old.lastActivity
        same.revision = old.revision
        same.sequence = old.sequence
        return same == old
    }

    /// Writes the progress changes kept in memory (`write`): called every second by the account pool's
    /// tick, and at shutdown.
    public func flushProgress() async {
        let pending = deferredProgress
        guard !pending.isEmpty else { return }
        deferredProgress = [:]
        for task in pending.values {
            do {
                try await store.save(task, outbox: [])
            } catch {
                logger.error("task store write failed", metadata: task.logMetadata(["error": "\(error)"]))
            }
        }
    }

    /// Caches a looked-up image seed in `properties.seed` (the one change a finished task accepts).
    public func setSeed(_ id: String, _ seed: String) async {
        await amend(id) {
            guard $0.property("seed") == nil else { return false }
            $0.setProperty("seed", string: seed)
            return true
        }
    }

    /// Changes a task outside its lifecycle, finished ones included (its cached seed, its mirrored
    /// image): a new revision is stored and cached, nothing is announced (no webhook). `mutate`
    /// returns false to leave the task as it is. Amends of one task build on each other.
    @discardableResult
    public func amend(_ id: String, _ mutate: @Sendable (inout MJTask) -> Bool) async -> MJTask? {
        var task: MJTask
        if let known = live[id] ?? amending[id] ?? unsaved[id] {
            task = known
        } else {
            guard let stored = try? await store.task(id: id) else { return nil }
            task = live[id] ?? amending[id] ?? unsaved[id] ?? stored  // another write may have run meanwhile
        }
        guard mutate(&task) else { return nil }
        task.revision = (task.revision ?? 0) + 1
        if live[id] != nil { live[id] = task }
        amending[id] = task
        cache.put(task)
        do { try await store.save(task) } catch { logger.error("task store write failed", metadata: task.logMetadata(["error": "\(error)"])) }
        if amending[id]?.revision == task.revision { amending[id] = nil }
        return task
    }

    // MARK: channel cursors (history catch-up)

    /// The newest bot message handled in `channelId`, as stored.
    public func cursor(channelId: String) async -> String? { try? await store.cursor(channelId: channelId) }

    /// Records that bot messages up to `messageId` were handled in `channelId`.
    public func advanceCursor(channelId: String, messageId: String) async {
        do {
            try await store.advanceCursor(channelId: channelId, messageId: messageId)
        } catch {
            logger.warning("channel cursor write failed", metadata: ["channel": "\(channelId)", "error": "\(error)"])
        }
    }

    func outboxDeliveries(_ task: MJTask, _ json: String, _ event: TaskEvent?) -> [OutboxDelivery] {
        guard let event, let webhooks, let d = webhooks.delivery(for: task, json: json, event: event, now: nowMillis()) else { return [] }
        return [d]
    }

    func announce(_ task: MJTask, _ event: TaskEvent) async {
        metrics.taskChanged(task, event: event)
        for sink in sinks { await sink.taskChanged(task, event: event) }
    }
}
