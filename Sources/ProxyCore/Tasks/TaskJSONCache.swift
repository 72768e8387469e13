import DiscordKit

/// The encoded API JSON of recently written or read tasks, bounded, readable from any thread
/// without an actor hop: `fetch` and `list-by-condition` of known tasks serve these bytes as they
/// are (no store read, no decode and re-encode). The registry writes an entry on every change of a
/// task, so an entry is never older than the task's state in memory. Oldest entries are evicted
/// first (insertion order) once `capacity` is reached.
public final class TaskJSONCache: Sendable {
    private let entries: Locked<BoundedDictionary<Key, [UInt8]>>
    /// Entries kept at most.
    public let capacity: Int

    /// Creates a cache of at most `capacity` tasks.
    public init(capacity: Int = 20_000) {
        self.capacity = max(1, capacity)
        entries = Locked(BoundedDictionary(capacity: max(1, capacity)))
    }

    /// A task id as a key: task ids are decimal numbers, hashed as one integer (a large
    /// list-by-condition looks up a thousand of them per request); any other id as text.
    enum Key: Hashable {
        case number(UInt64)
        case text(String)

        init(_ id: String) {
            let utf8 = id.utf8
            // 1-19 digits (always fits), no leading zero ("01" stays text: it is not the same id as "1").
            guard (1...19).contains(utf8.count), utf8.first != 0x30 || utf8.count == 1 else {
                self = .text(id)
                return
            }
            var value: UInt64 = 0
            for b in utf8 {
                guard b >= 0x30, b <= 0x39 else {
                    self = .text(id)
                    return
                }
                value = value * 10 + UInt64(b - 0x30)
            }
            self = .number(value)
        }
    }

    /// The JSON of task `id` if cached.
    public func get(_ id: String) -> [UInt8]? {
        let key = Key(id)
        return entries.withLock { $0[key] }
    }

    /// The JSON of each of `ids` (nil where not cached), under one lock.
    public func get(_ ids: [String]) -> [[UInt8]?] {
        let keys = ids.map(Key.init)
        return entries.withLock { e in keys.map { e[$0] } }
    }

    /// Stores the JSON of `task` read from the store, unless an entry exists (which a write put there:
    /// never older than what the store returned).
    public func putIfAbsent(_ task: MJTask) {
        let key = Key(task.id)
        guard entries.withLock({ $0[key] == nil }) else { return }
        let json = Array(task.json.compactString.utf8)
        entries.withLock { if $0[key] == nil { $0[key] = json } }
    }

    /// Stores (or replaces) the JSON of `task`.
    public func put(_ task: MJTask) { put(task.id, Array(task.json.compactString.utf8)) }

    /// Stores (or replaces) the JSON of task `id`.
    public func put(_ id: String, _ json: [UInt8]) {
        let key = Key(id)
        entries.withLock { $0[key] = json }
    }

    /// Entries held now.
    public var count: Int { entries.withLock { $0.count } }
}
