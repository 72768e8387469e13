import Logging

/// The single owner of task state: unfinished tasks in memory, every change written through to
/// the store first, then announced to the sinks. Accounts and the HTTP layer go through it.
public actor TaskRegistry {
    private let store: any TaskStore
    private var sinks: [any TaskEventSink]
    private var live: [String: MJTask] = [:]
    private let logger: Logger

    /// Creates a registry over `store`.
    public init(store: any TaskStore, sinks: [any TaskEventSink] = [], logger: Logger) {
        self.store = store
        self.sinks = sinks
        self.logger = logger
    }

    /// Adds a sink (e.g. the webhook dispatcher) before tasks flow.
    public func addSink(_ sink: any TaskEventSink) { sinks.append(sink) }

    /// Stores a new task.
    public func create(_ task: MJTask) async throws {
        try await store.save(task)
        if !task.status.isFinished { live[task.id] = task }
        if let event = TaskEvent.between(nil, task) { await announce(task, event) }
    }

    /// Loads the unfinished tasks of the store into memory (startup recovery) and returns them.
    public func recover() async throws -> [MJTask] {
        let tasks = try await store.unfinished()
        for t in tasks { live[t.id] = t }
        return tasks
    }

    /// One task (memory first, then the store).
    public func task(id: String) async throws -> MJTask? {
        if let t = live[id] { return t }
        return try await store.task(id: id)
    }

    /// Tasks by id in request order, deduplicated, unknown skipped.
    public func tasks(ids: [String]) async throws -> [MJTask] {
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        let missing = unique.filter { live[$0] == nil }
        var found: [String: MJTask] = [:]
        for t in try await store.tasks(ids: missing) { found[t.id] = t }
        return unique.compactMap { live[$0] ?? found[$0] }
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
        var new = old
        mutate(&new)
        let event = TaskEvent.between(old, new)
        if event != nil { new.sequence = old.sequence + 1 }
        if new.status.isFinished { live[id] = nil } else { live[id] = new }
        do {
            try await store.save(new)
        } catch {
            logger.error("task store write failed", metadata: ["task": "\(id)", "error": "\(error)"])
        }
        if let event { await announce(new, event) }
        return new
    }

    /// Caches a looked-up image seed in `properties.seed` (the one change a finished task accepts).
    public func setSeed(_ id: String, _ seed: String) async {
        guard var task = try? await task(id: id), task.property("seed") == nil else { return }
        task.setProperty("seed", string: seed)
        if live[id] != nil { live[id] = task }
        try? await store.save(task)
    }

    private func announce(_ task: MJTask, _ event: TaskEvent) async {
        for sink in sinks { await sink.taskChanged(task, event: event) }
    }
}
