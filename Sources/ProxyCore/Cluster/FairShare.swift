/// How many accounts each instance of a cluster holds, and which ones one instance takes or gives
/// up in a round of its `LeaseKeeper` (pure, so it is tested without a store).
public enum FairShare {
    /// ceil(accounts / instances): the most accounts one instance holds when they are spread evenly.
    public static func share(accounts: Int, instances: Int) -> Int {
        guard accounts > 0 else { return 0 }
        let n = max(1, instances)
        return (accounts + n - 1) / n
    }

    /// What one round changes: leases to give up, free accounts to try to take.
    public struct Plan: Sendable, Equatable {
        public var release: [String]
        public var acquire: [String]

        /// Creates a plan.
        public init(release: [String] = [], acquire: [String] = []) {
            self.release = release
            self.acquire = acquire
        }
    }

    /// The plan for `instance` holding `held`: leases of accounts no longer enabled are given up, and
    /// so are the held accounts beyond `share` (the least busy ones by `load`, then the last in
    /// `enabled` order); while below `share`, free accounts (no live lease in `holders`) are tried,
    /// starting at an offset derived from the instance id so instances starting together mostly ask
    /// for different accounts.
    public static func plan(
        instance: String, held: Set<String>, enabled: [String], holders: [String: String], share: Int, load: [String: Int] = [:]
    ) -> Plan {
        let enabledSet = Set(enabled)
        var release = held.subtracting(enabledSet).sorted()
        let keep = enabled.filter { held.contains($0) }
        if keep.count > share {
            let order = Dictionary(uniqueKeysWithValues: keep.enumerated().map { ($1, $0) })
            // Give up the idlest accounts first (fewest tasks to hand over), later ones on ties.
            let surplus = keep.sorted { (load[$0] ?? 0, -(order[$0] ?? 0)) < (load[$1] ?? 0, -(order[$1] ?? 0)) }
            release += surplus.prefix(keep.count - share)
        }
        let room = max(0, share - keep.count)
        let free = enabled.filter { !held.contains($0) && holders[$0] == nil }
        guard room > 0, !free.isEmpty else { return Plan(release: release) }
        let start = Int(stableHash(instance) % UInt64(free.count))
        let rotated = Array(free[start...] + free[..<start])
        return Plan(release: release, acquire: Array(rotated.prefix(room)))
    }

    /// FNV-1a of `text` (stable across processes, unlike `hashValue`).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
