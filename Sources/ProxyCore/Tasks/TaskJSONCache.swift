import DiscordKit

/// The encoded API JSON of recently written or read tasks, bounded, readable from any thread
/// without an actor hop: `fetch` and `list-by-condition` of known tasks serve these bytes as they
/// are (no store read, no decode and re-encode). The registry writes an entry on every change of a
/// task, so an entry is never older than the task's state in memory. Oldest entries are evicted
/// first (insertion order) once `capacity` is reached.
public final class TaskJSONCache: Sendable {
    private struct State {
        var bytes: [String: [UInt8]] = [:]
        /// Keys in insertion order from `head` on (evicted ones may still sit here; skipped).
        var order: [String] = []
        var head = 0
    }

    private let state = Locked(State())
    /// Entries kept at most.
    public let capacity: Int

    /// Creates a cache of at most `capacity` tasks.
    public init(capacity: Int = 20_000) { self.capacity = max(1, capacity) }

    /// The JSON of task `id` if cached.
    public func get(_ id: String) -> [UInt8]? { state.withLock { $0.bytes[id] } }

    /// Stores (or replaces) the JSON of `task`.
    public func put(_ task: MJTask) { put(task.id, Array(task.json.compactString.utf8)) }

    /// Stores (or replaces) the JSON of task `id`.
    public func put(_ id: String, _ json: [UInt8]) {
        let capacity = self.capacity
        state.withLock { s in
            if s.bytes.updateValue(json, forKey: id) == nil { s.order.append(id) }
            while s.bytes.count > capacity, s.head < s.order.count {
                s.bytes[s.order[s.head]] = nil
                s.head += 1
            }
            if s.head > capacity {
                // Drop the evicted prefix now and then, so `order` stays proportional to the cache.
                s.order.removeFirst(s.head)
                s.head = 0
            }
        }
    }

    /// Entries held now.
    public var count: Int { state.withLock { $0.bytes.count } }
}
