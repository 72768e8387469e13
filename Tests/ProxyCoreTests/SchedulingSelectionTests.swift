import DiscordKit
import Testing

@testable import ProxyCore

/// A random source that returns a fixed sequence (then repeats it).
struct ScriptedRandom: RandomNumberGenerator, Sendable {
    var values: [UInt64]
    var index = 0
    init(_ values: [UInt64]) { self.values = values }
    mutating func next() -> UInt64 {
        defer { index += 1 }
        return values[index % values.count]
    }
}

@Suite("Account selection rules")
struct SchedulingSelectionTests {
    typealias Load = AccountSelector.Load

    func loads(_ busy: [Int], core: Int = 3, weights: [Int]? = nil) -> [Load] {
        busy.enumerated().map { i, b in Load(order: i, busy: b, coreSize: core, weight: weights?[i] ?? 1) }
    }

    @Test func bestWaitIdlePicksLeastLoadRelativeToCoreTimesWeight() {
        var s = AccountSelector(rule: .bestWaitIdle)
        var rng = SystemRandomNumberGenerator()
        #expect(s.pick(loads([2, 0, 1]), using: &rng) == 1)
        // 3/(3×2) = 0.5 beats 2/3.
        #expect(s.pick(loads([2, 3], weights: [1, 2]), using: &rng) == 1)
        // Different core sizes: 4/12 < 2/3.
        let mixed = [Load(order: 0, busy: 2, coreSize: 3, weight: 1), Load(order: 1, busy: 4, coreSize: 12, weight: 1)]
        #expect(s.pick(mixed, using: &rng) == 1)
    }

    @Test func bestWaitIdleTiesTakeTurns() {
        var s = AccountSelector(rule: .bestWaitIdle)
        var rng = SystemRandomNumberGenerator()
        var picks: [Int] = []
        for _ in 0..<6 { picks.append(s.pick(loads([0, 0, 0]), using: &rng) ?? -1) }
        #expect(picks == [0, 1, 2, 0, 1, 2])
        // A tie among a subset continues after the last pick.
        #expect(s.pick(loads([0, 5, 0]), using: &rng) == 0)
        #expect(s.pick(loads([0, 5, 0]), using: &rng) == 2)
    }

    @Test func roundRobinCyclesInPoolOrderAndSkipsMissingAccounts() {
        var s = AccountSelector(rule: .roundRobin)
        var rng = SystemRandomNumberGenerator()
        let all = loads([9, 0, 4])
        #expect((0..<4).map { _ in s.pick(all, using: &rng) } == [0, 1, 2, 0])
        // Account 1 no longer eligible: after 0 comes 2.
        let subset = [all[0], all[2]]
        #expect(s.pick(subset, using: &rng).map { subset[$0].order } == 2)
        #expect(s.pick(subset, using: &rng).map { subset[$0].order } == 0)
    }

    @Test func randomUsesTheInjectedSource() {
        var s = AccountSelector(rule: .random)
        var rng = ScriptedRandom([UInt64.max, 1 << 60])
        let first = s.pick(loads([0, 0, 0]), using: &rng)
        let second = s.pick(loads([0, 0, 0]), using: &rng)
        #expect(first == 2)
        #expect(second == 0)
        #expect(s.pick([], using: &rng) == nil)
    }

    @Test func weightedFollowsWeights() {
        var s = AccountSelector(rule: .weighted)
        // Weights 1, 3: total 4. Tickets 0 → first, 1…3 → second.
        var counts = [0, 0]
        for ticket in 0..<4 {
            // `next(upperBound:)` maps a raw value to a ticket; with the maximum spread, raw = ticket × 2^62 gives it.
            var rng = ScriptedRandom([UInt64(ticket) << 62])
            counts[s.pick(loads([0, 0], weights: [1, 3]), using: &rng) ?? 0] += 1
        }
        #expect(counts == [1, 3])
    }

    @Test func weightedOverManyDrawsIsProportional() {
        var s = AccountSelector(rule: .weighted)
        var rng = SplitMix64(seed: 42)
        var counts = [0, 0, 0]
        for _ in 0..<6000 { counts[s.pick(loads([0, 0, 0], weights: [1, 2, 3]), using: &rng) ?? 0] += 1 }
        #expect((800...1200).contains(counts[0]))
        #expect((1700...2300).contains(counts[1]))
        #expect((2600...3400).contains(counts[2]))
    }
}

