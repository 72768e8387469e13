import DiscordKit
import Logging
import Testing

@testable import ProxyCore

/// What an instance does with another instance's task change (`ClusterTaskSync.handle`): drops its stale
/// cached copy, feeds its live-event subscribers from the store, asks its lease keeper to pick up a task
/// recorded for an account it holds, stops a task it runs that was cancelled elsewhere, and ignores its
/// own writes.
@Suite struct ClusterTaskSyncTests {
    /// A feed that is never followed here (the tests call `handle` directly).
    struct NoFeed: TaskChangeFeed {
        func follow(connected: @escaping @Sendable () async -> Void, handle: @escaping @Sendable (StoredTaskChange) async -> Void) async throws {}
    }

    /// Records the pick-ups the keeper runs.
    actor PickUps: LeasedAccounts {
        private(set) var asked: [[String]?] = []
        func leasableAccounts() async -> [String] { ["held"] }
        func load(of accountIds: Set<String>) async -> [String: Int] { [:] }
        func attach(_ accountId: String) async {}
        func detach(_ accountId: String) async {}
        func pickUp(held: Set<String>, taskIds: [String]?) async { asked.append(taskIds) }
    }

    actor Stopped {
        private(set) var calls: [String] = []
        func add(_ s: String) { calls.append(s) }
    }

    func task(_ id: String, account: String, status: TaskStatus = .notStart, revision: Int64) -> MJTask {
        var t = MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        t.accountId = account
        t.status = status
        t.revision = revision
        return t
    }

    @Test func changesOfOtherInstancesReachCacheEventsKeeperAndRunningTasks() async throws {
        let store = MemoryTaskStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        let pickUps = PickUps()
        let keeper = LeaseKeeper(
            settings: .init(instanceId: "me", leaseDuration: .seconds(60), renewInterval: .seconds(30)),
            store: MemoryAccountLeases(now: { 1000 }), accounts: pickUps, logger: Logger(label: "t"))
        await keeper.round()
        #expect(await keeper.held == ["held"])
        let hub = TaskEventHub()
        let stopped = Stopped()
        let sync = ClusterTaskSync(
            feed: NoFeed(), instanceId: "me", registry: registry, keeper: keeper, events: hub,
            stopRunning: { id, account in await stopped.add("\(id)@\(account)") }, logger: Logger(label: "t"))

        // A cached copy older than the change is dropped; live-event subscribers get the stored state.
        let unwatched = "1000000000000009"
        registry.cache.put(task(unwatched, account: "other", revision: 1))
        await sync.handle(StoredTaskChange(taskId: unwatched, revision: 3, accountId: "other", status: "SUCCESS", instance: "them"))
        #expect(registry.cache.get(unwatched) == nil)
        let watched = task("1000000000000001", account: "other", status: .inProgress, revision: 2)
        try await store.save(watched)
        registry.cache.put(task("1000000000000001", account: "other", revision: 1))
        let subscription = await hub.subscribe(to: [watched.id])
        await sync.handle(StoredTaskChange(taskId: watched.id, revision: 2, accountId: "other", status: "IN_PROGRESS", instance: "them"))
        // (The subscriber's read from the store cached the new state again.)
        #expect(String(decoding: registry.cache.get(watched.id) ?? [], as: UTF8.self).contains("IN_PROGRESS"), "the stale NOT_START copy is gone")
        let item = try await withDeadline { await subscription.next() }
        guard case .change(let notice) = item else {
            Issue.record("no change for the subscriber: \(String(describing: item))")
            return
        }
        #expect(notice.taskId == watched.id && notice.event == .progress)

        // A waiting task for an account held here: the keeper is asked to pick it up (once it runs).
        let recorded = "1000000000000002"
        await sync.handle(StoredTaskChange(taskId: recorded, revision: 1, accountId: "held", status: "NOT_START", instance: "them"))
        await sync.handle(StoredTaskChange(taskId: "1000000000000003", revision: 1, accountId: "elsewhere", status: "NOT_START", instance: "them"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await keeper.run() }
            _ = try await withDeadline { () -> Bool? in
                while await !pickUps.asked.contains(where: { $0 == [recorded] }) { try await Task.sleep(for: .milliseconds(5)) }
                return true
            }
            group.cancelAll()
        }
        #expect(await !pickUps.asked.contains { $0?.contains("1000000000000003") == true }, "not held here: not picked up")

        // Cancelled elsewhere while it runs here: stopped and out of memory; its own writes are ignored.
        let running = task("1000000000000004", account: "held", revision: 0)
        try await registry.create(running)
        await sync.handle(StoredTaskChange(taskId: running.id, revision: 1, accountId: "held", status: "IN_PROGRESS", instance: "me"))
        #expect(await registry.liveTask(id: running.id) != nil, "its own write: nothing happens")
        await sync.handle(StoredTaskChange(taskId: running.id, revision: 5, accountId: "held", status: "CANCEL", instance: "them"))
        #expect(await registry.liveTask(id: running.id) == nil)
        #expect(await stopped.calls == ["\(running.id)@held"])
        #expect(await registry.update(running.id) { $0.status = .success } == nil, "never written here again")
    }

    /// Runs `body`, failing after 30 s.
    func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T?) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw DiscordError.notConnected
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}
