import DiscordKit
import Logging
import Testing

@testable import ProxyCore

/// Taking tasks over from the store (several instances on one store): each task is taken once, a task
/// that finished here is never taken again from a stale read, a task recorded for another instance's
/// account is not run here, and the read cache drops copies another instance made stale.
@Suite struct ClusterPickUpTests {
    /// A store whose `unfinished()` can answer a snapshot taken earlier (a read that raced a write).
    actor SnapshotStore: TaskStore {
        let inner = MemoryTaskStore()
        var frozen: RecoveredTasks?

        func freeze() async throws { frozen = try await inner.unfinished() }
        func save(_ task: MJTask, outbox: [OutboxDelivery]) async throws { try await inner.save(task, outbox: outbox) }
        func task(id: String) async throws -> MJTask? { try await inner.task(id: id) }
        func tasks(ids: [String]) async throws -> [MJTask] { try await inner.tasks(ids: ids) }
        func list(limit: Int, before: String?) async throws -> [MJTask] { try await inner.list(limit: limit, before: before) }
        func unfinished() async throws -> RecoveredTasks {
            if let frozen { return frozen }
            return try await inner.unfinished()
        }
        func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery] { [] }
        func removeDelivery(id: Int64) async throws {}
        func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws {}
        func outboxDepth() async throws -> Int { 0 }
        func nextDeliveryTime() async throws -> Int64? { nil }
        func cursor(channelId: String) async throws -> String? { nil }
        func advanceCursor(channelId: String, messageId: String) async throws {}
        func ping() async throws {}
        func close() async throws {}
    }

    func task(_ id: String, account: String) -> MJTask {
        var t = MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        t.accountId = account
        return t
    }

    @Test func eachTaskIsTakenOnceAndOnlyForHeldAccounts() async throws {
        let store = SnapshotStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        try await store.save(task("1000000000000001", account: "x"))
        try await store.save(task("1000000000000002", account: "y"))
        let first = try await registry.adoptStored(accounts: ["x"])
        #expect(first.map(\.id) == ["1000000000000001"], "only the held account's task")
        #expect(try await registry.adoptStored(accounts: ["x"]).isEmpty, "already in memory: not taken twice")
        #expect(try await registry.adoptStored(accounts: ["x", "y"], ids: ["1000000000000002"]).map(\.id) == ["1000000000000002"])
        // The account moves away: its tasks are forgotten here, and taken again when it comes back.
        #expect(await registry.forget(accountId: "x") == ["1000000000000001"])
        #expect(await registry.liveTask(id: "1000000000000001") == nil)
        #expect(try await registry.adoptStored(accounts: ["x"]).map(\.id) == ["1000000000000001"])
    }

    @Test func aTaskFinishedHereIsNeverTakenAgainFromAStaleRead() async throws {
        let store = SnapshotStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        let id = "1000000000000003"
        try await registry.create(task(id, account: "x"))
        try await store.freeze()  // a pick-up's read, taken while the task was still waiting
        await registry.update(id) { $0.fail("done", at: 2) }
        #expect(try await registry.adoptStored(accounts: ["x"]).isEmpty, "finished here: the stale NOT_START row is not run again")
    }

    @Test func aTaskRecordedForAnotherInstanceIsNotRunHere() async throws {
        let store = SnapshotStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        let id = "1000000000000004"
        try await registry.createElsewhere(task(id, account: "remote"))
        #expect(await registry.liveTask(id: id) == nil)
        #expect(try await registry.task(id: id)?.status == .notStart, "readable here, from the store")
        #expect(await registry.update(id) { $0.fail("x", at: 2) } == nil, "never changed here")
    }

    @Test func theCacheDropsCopiesAnotherInstanceMadeStale() throws {
        let cache = TaskJSONCache(capacity: 10)
        var t = task("1000000000000005", account: "x")
        t.revision = 3
        cache.putIfAbsent(t)
        #expect(cache.get(t.id) != nil)
        cache.invalidate(t.id, revision: 5)
        #expect(cache.get(t.id) == nil)
        t.revision = 4
        cache.putIfAbsent(t)
        #expect(cache.get(t.id) == nil, "a store read older than the change is not cached again")
        t.revision = 5
        cache.putIfAbsent(t)
        #expect(cache.get(t.id) != nil)
        cache.invalidate(t.id, revision: 4)
        #expect(cache.get(t.id) != nil, "the cached copy is newer than the change")
        cache.put(t.id, [2], revision: 6)
        cache.invalidate(t.id, revision: 6)
        #expect(cache.get(t.id) == nil, "a copy of the same revision may be a write of this instance the store refused")
        cache.put("1000000000000006", [1], revision: 9)
        cache.removeAll()
        #expect(cache.get("1000000000000006") == nil && cache.get(t.id) == nil)
    }
}
