import DiscordKit
import Logging
import ProxyCore
import Testing

/// The live-event hub: fan-out by task id, bounded mailboxes (newest pending change per task), and
/// subscriptions that free everything when they end.
@Suite struct TaskEventHubTests {
    static func notice(_ id: String, _ seq: Int64, _ event: TaskEvent = .progress) -> TaskChangeNotice {
        TaskChangeNotice(taskId: id, sequence: seq, event: event, json: Array("{\"id\":\"\(id)\",\"s\":\(seq)}".utf8))
    }

    @Test func aSlowSubscriberKeepsOnlyTheNewestChangePerTask() async throws {
        let hub = TaskEventHub()
        let s = await hub.subscribe(to: ["a", "b"])
        for seq in 1...1000 { await hub.publish(Self.notice("a", Int64(seq))) }
        await hub.publish(Self.notice("b", 1))
        await hub.publish(Self.notice("c", 1))  // not watched
        for _ in 0..<5 { s.tick() }
        // One pending notice per watched task, however many changes came.
        #expect(s.pendingCount == 2)
        // An older change arriving late does not replace a newer one.
        await hub.publish(Self.notice("a", 7))
        #expect(await s.next() == .change(Self.notice("a", 1000)))
        #expect(await s.next() == .change(Self.notice("b", 1)))
        #expect(await s.next() == .tick)
        #expect(s.pendingCount == 0)
        await hub.unsubscribe(s)
        #expect(await s.next() == nil)
    }

    @Test func unsubscribingFreesTheIndexAndWakesTheConsumer() async throws {
        let hub = TaskEventHub()
        let one = await hub.subscribe(to: ["a"])
        let two = await hub.subscribe(to: ["a", "b"])
        #expect(await hub.subscriberCount == 2)
        #expect(await hub.watchedTaskCount == 2)
        let woken = await withTaskGroup(of: TaskEventSubscription.Item?.self) { group in
            group.addTask { await one.next() }  // waits: nothing pending
            await hub.unsubscribe(one)
            return await group.next()
        }
        #expect(woken == .some(nil))
        #expect(await hub.subscriberCount == 1)
        #expect(await hub.watches("a"))
        #expect(await hub.watches("b"))
        await hub.unsubscribe(two)
        await hub.unsubscribe(two)  // idempotent
        #expect(await hub.subscriberCount == 0)
        #expect(await hub.watchedTaskCount == 0)
        #expect(await !hub.watches("a"))
    }

    @Test func cancellingAWaitingConsumerClosesItsSubscription() async throws {
        let hub = TaskEventHub()
        let s = await hub.subscribe(to: ["a"])
        let ended = await withTaskGroup(of: TaskEventSubscription.Item?.self) { group in
            group.addTask { await s.next() }
            group.cancelAll()
            return await group.next()
        }
        #expect(ended == .some(nil))
        #expect(s.isClosed)
        await hub.publish(Self.notice("a", 1))
        #expect(s.pendingCount == 0)
        await hub.unsubscribe(s)
    }

    @Test func registryChangesArriveWithTheFetchJSON() async throws {
        let hub = TaskEventHub()
        let registry = TaskRegistry(store: MemoryTaskStore(), sinks: [hub], logger: Logger(label: "t"))
        let task = MJTask(id: "1000000000000011", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        try await registry.create(task)
        let s = await hub.subscribe(to: [task.id])
        let submitted = try #require(await registry.update(task.id) { $0.status = .submitted })
        let done = try #require(await registry.update(task.id) { $0.succeed(at: 5) })
        // Both changes are pending: the newest one (success) replaced the submitted one.
        #expect(s.pendingCount == 1)
        let item = await s.next()
        #expect(item == .change(TaskChangeNotice(taskId: task.id, sequence: done.sequence, event: .success, json: Array(done.json.compactString.utf8))))
        #expect(done.sequence == submitted.sequence + 1)
        #expect(registry.cache.get(task.id) == Array(done.json.compactString.utf8))
        await hub.unsubscribe(s)
    }

    @Test func shutdownClosesEverySubscriptionAndRefusesNewOnes() async {
        let hub = TaskEventHub()
        let s = await hub.subscribe(to: ["a"])
        await hub.closeAll()
        #expect(s.isClosed)
        #expect(await hub.subscriberCount == 0)
        let late = await hub.subscribe(to: ["a"])
        #expect(late.isClosed)
        #expect(await late.next() == nil)
        #expect(await hub.subscriberCount == 0)
    }

    @Test func snapshotEventNames() {
        #expect(TaskEvent.snapshot(of: .notStart) == .progress)
        #expect(TaskEvent.snapshot(of: .submitted) == .submitted)
        #expect(TaskEvent.snapshot(of: .inProgress) == .progress)
        #expect(TaskEvent.snapshot(of: .modal) == .modal)
        #expect(TaskEvent.snapshot(of: .success) == .success)
        #expect(TaskEvent.snapshot(of: .failure) == .failure)
        #expect(TaskEvent.snapshot(of: .cancel) == .cancel)
    }
}
