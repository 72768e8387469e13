import DiscordKit
import Logging
import Testing

@testable import ProxyCore

/// A manual clock in milliseconds shared by a lease store and its keepers.
final class ManualMillis: Sendable {
    private let value = Locked<Int64>(1_000_000)
    var now: Int64 { value.value }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}

/// What a keeper did to its accounts, in order.
actor RecordingAccounts: LeasedAccounts {
    let ids: [String]
    private(set) var running: Set<String> = []
    private(set) var log: [String] = []
    private(set) var pickUps = 0

    init(_ ids: [String]) { self.ids = ids }

    func leasableAccounts() async -> [String] { ids }
    func load(of accountIds: Set<String>) async -> [String: Int] { [:] }
    func attach(_ accountId: String) async {
        running.insert(accountId)
        log.append("+\(accountId)")
    }
    func detach(_ accountId: String) async {
        running.remove(accountId)
        log.append("-\(accountId)")
    }
    func pickUp(held: Set<String>, taskIds: [String]?) async { pickUps += 1 }
}

/// A lease store that fails while `down` is set (the database unreachable).
actor FlakyLeases: AccountLeaseStore {
    let inner: MemoryAccountLeases
    var down = false
    init(_ inner: MemoryAccountLeases) { self.inner = inner }
    func setDown(_ d: Bool) { down = d }
    private func check() throws { if down { throw DiscordError.notConnected } }
    func heartbeat(instance: String, startedAt: Int64, liveWithin: Duration) async throws -> [InstanceInfo] {
        try check()
        return try await inner.heartbeat(instance: instance, startedAt: startedAt, liveWithin: liveWithin)
    }
    func renewLeases(instance: String, duration: Duration) async throws -> Set<String> {
        try check()
        return try await inner.renewLeases(instance: instance, duration: duration)
    }
    func acquireLeases(_ accountIds: [String], instance: String, duration: Duration) async throws -> Set<String> {
        try check()
        return try await inner.acquireLeases(accountIds, instance: instance, duration: duration)
    }
    func releaseLeases(_ accountIds: [String]?, instance: String) async throws {
        try check()
        try await inner.releaseLeases(accountIds, instance: instance)
    }
    func leave(instance: String) async throws {
        try check()
        try await inner.leave(instance: instance)
    }
    func leaseHolders() async throws -> [String: String] {
        try check()
        return try await inner.leaseHolders()
    }
    func holdsLease(_ accountId: String, instance: String) async throws -> Bool {
        try check()
        return try await inner.holdsLease(accountId, instance: instance)
    }
}

@Suite struct LeaseKeeperTests {
    static let accounts = (1...6).map { "acc\($0)" }

    @Test func fairShareIsTheCeiling() {
        #expect(FairShare.share(accounts: 6, instances: 3) == 2)
        #expect(FairShare.share(accounts: 7, instances: 3) == 3)
        #expect(FairShare.share(accounts: 2, instances: 5) == 1)
        #expect(FairShare.share(accounts: 0, instances: 2) == 0)
        #expect(FairShare.share(accounts: 4, instances: 0) == 4, "no live instance counted yet: this one")
    }

    @Test func planGivesUpSurplusIdlestFirstAndTakesOnlyFreeAccounts() {
        let plan = FairShare.plan(
            instance: "a", held: ["acc1", "acc2", "acc3", "gone"], enabled: Self.accounts, holders: [:], share: 2,
            load: ["acc1": 5, "acc2": 0, "acc3": 1])
        #expect(plan.release == ["gone", "acc2"], "a deleted account, then the idlest surplus one")
        #expect(plan.acquire.isEmpty)
        let grow = FairShare.plan(
            instance: "b", held: ["acc1"], enabled: Self.accounts, holders: ["acc1": "b", "acc2": "a", "acc3": "a"], share: 3)
        #expect(grow.release.isEmpty)
        #expect(grow.acquire.count == 2)
        #expect(Set(grow.acquire).isSubset(of: ["acc4", "acc5", "acc6"]), "never an account another instance holds")
    }

    /// Three keepers on one store: taken by rounds, so the order is deterministic.
    func cluster(_ clock: ManualMillis, _ n: Int = 3) -> (MemoryAccountLeases, [LeaseKeeper], [RecordingAccounts]) {
        let store = MemoryAccountLeases(now: { clock.now })
        var keepers: [LeaseKeeper] = []
        var recorders: [RecordingAccounts] = []
        for i in 0..<n {
            let r = RecordingAccounts(Self.accounts)
            recorders.append(r)
            keepers.append(
                LeaseKeeper(
                    settings: .init(instanceId: "i\(i)", leaseDuration: .seconds(12), renewInterval: .seconds(3)), store: store, accounts: r,
                    logger: Logger(label: "lease-test"), now: { clock.now }))
        }
        return (store, keepers, recorders)
    }

    func rounds(_ keepers: [LeaseKeeper], _ clock: ManualMillis, times: Int = 3) async {
        for _ in 0..<times {
            for k in keepers { await k.round() }
            clock.advance(3000)
        }
    }

    @Test func threeInstancesSpreadSixAccountsEvenlyAndNeverShareOne() async throws {
        let clock = ManualMillis()
        let (store, keepers, recorders) = cluster(clock)
        await rounds(keepers, clock)
        var all: [String] = []
        for r in recorders {
            let running = await r.running
            #expect(running.count == 2, "fair share of 6 accounts on 3 instances")
            all += running
        }
        #expect(Set(all).count == 6, "every account runs, on exactly one instance")
        let holders = try await store.leaseHolders()
        for (i, r) in recorders.enumerated() {
            for id in await r.running { #expect(holders[id] == "i\(i)") }
        }
    }

    @Test func aDeadInstancesAccountsMoveAfterTheLeaseExpires() async throws {
        let clock = ManualMillis()
        let (_, keepers, recorders) = cluster(clock)
        await rounds(keepers, clock)
        let orphaned = await recorders[2].running
        // Instance 2 stops renewing (kill -9); before its leases expire nobody takes them.
        let survivors = Array(keepers.prefix(2))
        await rounds(survivors, clock, times: 2)
        for r in recorders.prefix(2) { #expect(await r.running.isDisjoint(with: orphaned)) }
        // 12 s after its last renewal its leases and heartbeat are gone: the survivors share all six.
        await rounds(survivors, clock, times: 3)
        let a = await recorders[0].running
        let b = await recorders[1].running
        #expect(a.count == 3 && b.count == 3)
        #expect(a.union(b) == Set(Self.accounts))
        #expect(a.isDisjoint(with: b))
    }

    @Test func gracefulLeaveHandsAccountsOverAtTheNextRound() async throws {
        let clock = ManualMillis()
        let (_, keepers, recorders) = cluster(clock, 2)
        await rounds(keepers, clock)
        let leaving = await recorders[1].running
        #expect(leaving.count == 3)
        await keepers[1].leave()
        #expect(await recorders[1].running.isEmpty, "stopped before its leases were released")
        await keepers[0].round()
        #expect(await recorders[0].running == Set(Self.accounts), "taken at once, without waiting for expiry")
    }

    @Test func aNewInstanceMakesOthersGiveUpTheirSurplus() async throws {
        let clock = ManualMillis()
        let (_, keepers, recorders) = cluster(clock, 3)
        await rounds([keepers[0]], clock, times: 1)
        #expect(await recorders[0].running.count == 6, "alone: it holds every account")
        await rounds(keepers, clock, times: 3)
        for r in recorders { #expect(await r.running.count == 2) }
    }

    @Test func unrenewedLeasesStopTheAccountsBeforeTheyCanExpire() async throws {
        let clock = ManualMillis()
        let store = FlakyLeases(MemoryAccountLeases(now: { clock.now }))
        let recorder = RecordingAccounts(Self.accounts)
        let keeper = LeaseKeeper(
            settings: .init(instanceId: "solo", leaseDuration: .seconds(12), renewInterval: .seconds(3)), store: store, accounts: recorder,
            logger: Logger(label: "lease-test"), now: { clock.now })
        await keeper.round()
        #expect(await recorder.running.count == 6)
        await store.setDown(true)
        for _ in 0..<2 {
            clock.advance(3000)
            await keeper.round()
        }
        #expect(await recorder.running.count == 6, "6 s without renewal: the leases still run 6 s more")
        #expect(await !keeper.mayRun("acc1"), "the store does not answer: no job is sent")
        clock.advance(3000)
        await keeper.round()
        #expect(await recorder.running.isEmpty, "9 s without renewal: stopped before the 12 s leases can expire")
        await store.setDown(false)
        clock.advance(3000)
        await keeper.round()
        #expect(await recorder.running.count == 6, "the store is back: its expired leases are taken again")
        #expect(await keeper.mayRun("acc1"))
        #expect(await !keeper.mayRun("unknown"))
    }

    @Test func instancesHoldDistinctTaskIdLanesAndTheirIdsNeverCollide() async throws {
        let clock = ManualMillis()
        let (_, keepers, recorders) = cluster(clock)
        await rounds(keepers, clock)
        var lanes: [Int] = []
        for k in keepers { lanes.append(try #require(await k.lane)) }
        #expect(Set(lanes).count == 3)
        for r in recorders { #expect(await r.running.allSatisfy { !$0.hasPrefix("~lane") }, "a lane is never run as an account") }
        // Generators in different lanes, all in the same millisecond: no id twice, each 16 digits, rising per instance.
        let generators = lanes.map { lane in
            let g = TaskIDGenerator()
            g.setLane(lane)
            return g
        }
        var all = Set<String>()
        for g in generators {
            let ids = (0..<250).map { _ in g.next(now: 1_700_000_000_000) }
            #expect(ids == ids.sorted() && ids.allSatisfy { $0.count == 16 })
            all.formUnion(ids)
        }
        #expect(all.count == 750)
        await keepers[0].leave()
        #expect(await keepers[0].lane == nil)
    }

    @Test func aSecondProcessWithTheSameInstanceIdHoldsNothing() async throws {
        let clock = ManualMillis()
        let store = MemoryAccountLeases(now: { clock.now })
        func keeper(_ startedAt: Int64, _ r: RecordingAccounts) -> LeaseKeeper {
            LeaseKeeper(
                settings: .init(instanceId: "same", leaseDuration: .seconds(12), renewInterval: .seconds(3), startedAt: startedAt), store: store,
                accounts: r, logger: Logger(label: "lease-test"), now: { clock.now })
        }
        let first = RecordingAccounts(Self.accounts)
        let second = RecordingAccounts(Self.accounts)
        let a = keeper(1, first)
        let b = keeper(2, second)
        for _ in 0..<3 {
            await a.round()
            await b.round()
            clock.advance(3000)
        }
        #expect(await first.running.count == 6)
        #expect(await second.running.isEmpty, "the duplicate never runs an account the first one runs")
        // The first one dies: once its heartbeat and leases expire, the second one takes over.
        for _ in 0..<6 {
            clock.advance(3000)
            await b.round()
        }
        #expect(await second.running.count == 6)
    }
}
