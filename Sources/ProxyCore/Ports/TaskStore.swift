/// Where tasks live. SQLite by default, PostgreSQL for several instances; the rest of the
/// proxy only sees this protocol.
public protocol TaskStore: Sendable {
    /// Inserts or replaces a task.
    func save(_ task: MJTask) async throws
    /// One task by id.
    func task(id: String) async throws -> MJTask?
    /// Tasks by ids, in no particular order; unknown ids are skipped.
    func tasks(ids: [String]) async throws -> [MJTask]
    /// Newest first (id descending), only ids below `before` when given.
    func list(limit: Int, before: String?) async throws -> [MJTask]
    /// Every task that is not finished (for recovery after a restart).
    func unfinished() async throws -> [MJTask]
    /// Releases the store's connections (at shutdown).
    func close() async throws
}

/// An in-memory `TaskStore` (tests, and a fallback when persistence is off).
public actor MemoryTaskStore: TaskStore {
    private var byId: [String: MJTask] = [:]

    /// Creates an empty store.
    public init() {}

    public func save(_ task: MJTask) async throws { byId[task.id] = task }
    public func task(id: String) async throws -> MJTask? { byId[id] }
    public func tasks(ids: [String]) async throws -> [MJTask] { ids.compactMap { byId[$0] } }
    public func list(limit: Int, before: String?) async throws -> [MJTask] {
        let sorted = byId.keys.sorted(by: >).filter { before == nil || $0 < before! }
        return sorted.prefix(limit).compactMap { byId[$0] }
    }
    public func unfinished() async throws -> [MJTask] { byId.values.filter { !$0.status.isFinished }.sorted { $0.id < $1.id } }
    public func close() async throws {}
}
