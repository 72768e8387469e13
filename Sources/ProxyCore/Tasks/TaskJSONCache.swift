import DiscordKit

/// The encoded API JSON of recently written or read tasks, bounded, readable from any thread
/// without an actor hop: `fetch` and `list-by-condition` of known tasks serve these bytes as they
/// are (no store read, no decode and re-encode). The registry writes an entry on every change of a
/// task, so an entry is never older than the task's state in memory. Oldest entries are evicted
/// first (insertion order) once `capacity` is reached.
///
/// With several instances on one store, another instance's change of a task arrives as a notice
/// (`invalidate`): the entry is dropped and a marker keeps the revision, so a store read that raced
/// the change (an older revision) is not cached again.
public final class TaskJSONCache: Sendable {
    /// A cached document and its revision, or (json nil) a marker: only revisions from `revision` on may be cached.
    struct Entry {
        var revision: Int64
        var json: [UInt8]?
    }

    private let entries: Locked<BoundedDictionary<Key, Entry>>
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
        return entries.withLock { $0[key]?.json }
    }

    /// The JSON of each of `ids` (nil where not cached), under one lock.
    public func get(_ ids: [String]) -> [[UInt8]?] {
        let keys = ids.map(Key.init)
        return entries.withLock { e in keys.map { e[$0]?.json } }
    }

    /// Stores the JSON of `task` read from the store, unless an entry exists (which a write put there:
    /// never older than what the store returned) or a newer revision is known to exist elsewhere.
    public func putIfAbsent(_ task: MJTask) {
        let key = Key(task.id)
        let revision = task.revision ?? 0
        func admits(_ e: Entry?) -> Bool { e == nil || (e?.json == nil && revision >= e!.revision) }
        guard entries.withLock({ admits($0[key]) }) else { return }
        let json = Array(task.json.compactString.utf8)
        entries.withLock { if admits($0[key]) { $0[key] = Entry(revision: revision, json: json) } }
    }

    /// Stores (or replaces) the JSON of `task`.
    public func put(_ task: MJTask) { put(task.id, Array(task.json.compactString.utf8), revision: task.revision ?? 0) }

    /// Stores (or replaces) the JSON of task `id` (this process's own write: the newest state).
    public func put(_ id: String, _ json: [UInt8], revision: Int64 = .max) {
        let key = Key(id)
        entries.withLock { $0[key] = Entry(revision: revision, json: json) }
    }

    /// Another instance wrote revision `revision` of task `id`: a cached copy not newer is dropped, and
    /// store reads older than that revision are not cached afterwards. A copy of the same revision goes
    /// too: it may be this instance's own write that the store refused (both sides numbered their change
    /// from the same stored revision, the other one's finished state won), found in a cluster test where
    /// a cancel sent to one instance stayed invisible on the holder.
    public func invalidate(_ id: String, revision: Int64) {
        let key = Key(id)
        entries.withLock { e in
            if let current = e[key], current.revision > revision { return }
            e[key] = Entry(revision: revision, json: nil)
        }
    }

    /// Drops every entry (the change notices were interrupted: any entry may be stale).
    public func removeAll() {
        entries.withLock { $0 = BoundedDictionary(capacity: capacity) }
    }

    /// Entries held now.
    public var count: Int { entries.withLock { $0.count } }
}
