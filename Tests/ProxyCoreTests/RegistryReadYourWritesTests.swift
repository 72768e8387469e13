import DiscordKit
import Logging
import Testing

@testable import ProxyCore

/// Saves are batched by the store, so a finished task can be out of memory before its row is
/// committed: reads in that window get the newest state, and the read cache is never set back.
@Suite struct RegistryReadYourWritesTests {
    /// A store whose saves wait until released (the window of a batched write).
    actor HeldStore: TaskStore {
        let inner = MemoryTaskStore()
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []

        func hold() { holding = true }
        func release() {
            holding = false
            for c in held { c.resume() }
            held = []
        }
        var waiting: Int { held.count }

        func save(_ task: MJTask, outbox: [OutboxDelivery]) async throws {
            if holding { await withCheckedContinuation { held.append($0) } }
            try await inner.save(task, outbox: outbox)
        }
        func task(id: String) async throws -> MJTask? { try await inner.task(id: id) }
        func tasks(ids: [String]) async throws -> [MJTask] { try await inner.tasks(ids: ids) }
        func list(limit: Int, before: String?) async throws -> [MJTask] { try await inner.list(limit: limit, before: before) }
        func unfinished() async throws -> RecoveredTasks { try await inner.unfinished() }
        func dueDeliveries(now: Int64, limit: Int, excluding: Set<String>) async throws -> [OutboxDelivery] {
            try await inner.dueDeliveries(now: now, limit: limit, excluding: excluding)
        }
        func removeDelivery(id: Int64) async throws { try await inner.removeDelivery(id: id) }
        func rescheduleDelivery(id: Int64, attempts: Int, nextAttempt: Int64) async throws {
            try await inner.rescheduleDelivery(id: id, attempts: attempts, nextAttempt: nextAttempt)
        }
        func outboxDepth() async throws -> Int { try await inner.outboxDepth() }
        func nextDeliveryTime() async throws -> Int64? { try await inner.nextDeliveryTime() }
        func cursor(channelId: String) async throws -> String? { try await inner.cursor(channelId: channelId) }
        func advanceCursor(channelId: String, messageId: String) async throws { try await inner.advanceCursor(channelId: channelId, messageId: messageId) }
        func ping() async throws {}
        func close() async throws {}
    }

    @Test func aFinishedTaskReadsAsFinishedBeforeItsRowIsCommitted() async throws {
        let store = HeldStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        let id = "1000000000000042"
        try await registry.create(MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
        await store.hold()
        async let cancelled = registry.transition(id, from: [.notStart]) {
            $0.status = .cancel
            $0.finishTime = 2
        }
        // The cancel is in memory and waits for its save.
        let deadline = ContinuousClock.now + .seconds(30)
        while await store.waiting == 0 {
            guard ContinuousClock.now < deadline else { Issue.record("the save never started"); return }
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(try await store.task(id: id)?.status == .notStart)
        #expect(try await registry.task(id: id)?.status == .cancel)
        #expect(try await registry.tasks(ids: [id]).first?.status == .cancel)
        #expect(String(decoding: try #require(registry.cache.get(id)), as: UTF8.self).contains(#""status":"CANCEL""#))
        await store.release()
        #expect(await cancelled?.status == .cancel)
        #expect(try await registry.task(id: id)?.status == .cancel)
        #expect(try await store.task(id: id)?.status == .cancel)
    }
}
