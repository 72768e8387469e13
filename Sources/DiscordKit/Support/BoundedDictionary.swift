/// A dictionary that keeps at most `capacity` entries, evicting the oldest inserted first: for state
/// that grows with traffic (caches, a simulated bot's memory of jobs and modals). Written here: no
/// package in our set has one. Replacing a value keeps its age; removing and re-inserting renews it.
public struct BoundedDictionary<Key: Hashable, Value> {
    private var storage: [Key: (value: Value, generation: UInt64)] = [:]
    /// Keys in insertion order from `head` on, with the generation they were inserted with (entries
    /// removed or re-inserted since are skipped when their turn comes).
    private var order: [(key: Key, generation: UInt64)] = []
    private var head = 0
    private var generation: UInt64 = 0
    /// Entries kept at most.
    public let capacity: Int

    /// An empty dictionary of at most `capacity` entries.
    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Entries held now.
    public var count: Int { storage.count }

    /// The value for `key`; setting nil removes it.
    public subscript(key: Key) -> Value? {
        get { storage[key]?.value }
        set {
            guard let newValue else {
                storage[key] = nil
                compactIfSparse()
                return
            }
            if let old = storage[key] {
                storage[key] = (newValue, old.generation)
                return
            }
            generation &+= 1
            storage[key] = (newValue, generation)
            order.append((key, generation))
            while storage.count > capacity, head < order.count {
                let (oldest, stamp) = order[head]
                head += 1
                if storage[oldest]?.generation == stamp { storage[oldest] = nil }
            }
            compactIfSparse()
        }
    }

    /// Removes and returns the value for `key`.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        defer { compactIfSparse() }
        return storage.removeValue(forKey: key)?.value
    }

    /// Drops the evicted prefix and stale entries of `order` once they outnumber the live ones.
    private mutating func compactIfSparse() {
        let pending = order.count - head
        guard pending > 2 * storage.count + 64 || head > 4096 && head > pending else { return }
        order = order[head...].filter { storage[$0.key]?.generation == $0.generation }
        head = 0
    }
}

extension BoundedDictionary: Sendable where Key: Sendable, Value: Sendable {}
