import DiscordKit

/// The encoded API JSON of recently written or read tasks, bounded, readable from any thread
/// without an actor hop: `fetch` and `list-by-condition` of known tasks serve these bytes as they
/// are (no store read, no decode and re-encode). The registry writes an entry on every change of a
/// task, so an entry is never older than the task's state in memory. Oldest entries are evicted
/// first (insertion order) once `capacity` is reached.
public final class TaskJSONCache: Sendable {
    private let entries: Locked<BoundedDictionary<String, [UInt8]>>
    /// Entries kept at most.
    public let capacity: Int

    /// Creates a cache of at most `capacity` tasks.
    public init(capacity: Int = 20_000) {
        self.capacity = max(1, capacity)
        entries = Locked(BoundedDictionary(capacity: max(1, capacity)))
    }

    /// The JSON of task `id` if cached.
    public func get(_ id: String) -> [UInt8]? { entries.withLock { $0[id] } }

    /// The JSON of each of `ids` (nil where not cached), under one lock.
    public func get(_ ids: [String]) -> [[UInt8]?] { entries.withLock { e in ids.map { e[$0] } } }

    /// Stores (or replaces) the JSON of `task`.
    public func put(_ task: MJTask) { put(task.id, Array(task.json.compactString.utf8)) }

    /// Stores (or replaces) the JSON of task `id`.
    public func put(_ id: String, _ json: [UInt8]) { entries.withLock { $0[id] = json } }

    /// Entries held now.
    public var count: Int { entries.withLock { $0.count } }
}
