/// The pure selection step of scheduling: given the load of each eligible account (in pool order),
/// picks one by the configured `SchedulingRule`. Ties (and the round-robin rule) rotate from the
/// account picked last, so equally loaded accounts take turns. Randomness is injected.
public struct AccountSelector: Sendable {
    /// One eligible account as selection sees it.
    public struct Load: Sendable, Equatable {
        /// Position of the account in the pool (stable order for turns).
        public var order: Int
        /// Tasks running plus waiting on the account.
        public var busy: Int
        public var coreSize: Int
        public var weight: Int

        /// Creates a load.
        public init(order: Int, busy: Int, coreSize: Int, weight: Int) {
            self.order = order
            self.busy = busy
            self.coreSize = coreSize
            self.weight = weight
        }

        /// coreSize × weight, at least 1.
        var capacity: Int { max(1, coreSize) * max(1, weight) }
    }

    public var rule: SchedulingRule
    /// `order` of the account picked last (turns continue after it).
    public private(set) var lastOrder: Int?

    /// Creates a selector for `rule`.
    public init(rule: SchedulingRule = .bestWaitIdle) { self.rule = rule }

    /// The index (into `loads`) of the account to use, or nil when `loads` is empty.
    public mutating func pick<R: RandomNumberGenerator>(_ loads: [Load], using rng: inout R) -> Int? {
        guard !loads.isEmpty else { return nil }
        let chosen: Int
        switch rule {
        case .bestWaitIdle:
            var least: [Int] = []
            for i in loads.indices {
                guard let first = least.first else {
                    least = [i]
                    continue
                }
                // busy/capacity compared exactly by cross-multiplying.
                let lhs = loads[i].busy * loads[first].capacity
                let rhs = loads[first].busy * loads[i].capacity
                if lhs < rhs { least = [i] } else if lhs == rhs { least.append(i) }
            }
            chosen = nextInTurn(least, loads)
        case .roundRobin:
            chosen = nextInTurn(Array(loads.indices), loads)
        case .random:
            chosen = Int(rng.next(upperBound: UInt64(loads.count)))
        case .weighted:
            let total = loads.reduce(0) { $0 + UInt64(max(1, $1.weight)) }
            var ticket = rng.next(upperBound: total)
            var pick = loads.count - 1
            for i in loads.indices {
                let w = UInt64(max(1, loads[i].weight))
                if ticket < w {
                    pick = i
                    break
                }
                ticket -= w
            }
            chosen = pick
        }
        lastOrder = loads[chosen].order
        return chosen
    }

    /// Among `candidates` (indices into `loads`), the first whose order follows the last pick, wrapping around.
    private func nextInTurn(_ candidates: [Int], _ loads: [Load]) -> Int {
        let sorted = candidates.sorted { loads[$0].order < loads[$1].order }
        guard let last = lastOrder else { return sorted[0] }
        return sorted.first { loads[$0].order > last } ?? sorted[0]
    }
}
