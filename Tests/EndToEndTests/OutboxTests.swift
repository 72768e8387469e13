import DiscordKit
import Foundation
import Logging
import ProxyCore
import Testing

@testable import Storage

/// The durable webhook outbox and the store's write guarantees, on the real SQLite store.
@Suite struct OutboxTests {
    /// A transport that answers from a script and records what it was sent.
    actor ScriptedTransport: WebhookTransport {
        var answer: Int
        var sent: [(taskId: String, sequence: Int64, event: String, delivery: String)] = []
        init(answer: Int) { self.answer = answer }
        func setAnswer(_ a: Int) { answer = a }
        nonisolated func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
            await record(headers: headers, body: body)
        }
        private func record(headers: [(String, String)], body: [UInt8]) -> Int {
            func h(_ name: String) -> String { headers.first { $0.0 == name }?.1 ?? "" }
            let id = (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?["id"]?.stringValue ?? ""
            sent.append((id, Int64(h("X-Mjproxy-Sequence")) ?? -1, h("X-Mjproxy-Event"), h("X-Mjproxy-Delivery")))
            return answer
        }
        func all() -> [(taskId: String, sequence: Int64, event: String, delivery: String)] { sent }
    }

    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-outbox-\(UUID().uuidString).sqlite").path
    }

    /// Opens a SQLite store at `path`, runs `body`, and always closes it.
    static func withSQLite<T: Sendable>(_ path: String = tempPath(), _ body: (SQLiteTaskStore) async throws -> T) async throws -> T {
        let store = try await SQLiteTaskStore.open(path: path, logger: Logger(label: "t"))
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }

    static let fast = WebhookSettings(
        globalHook: "http://hooks.invalid/h", firstRetryDelay: .milliseconds(50), maxRetryDelay: .milliseconds(200), pollInterval: .milliseconds(20))

    /// Runs a dispatcher over `store` while `body` runs.
    static func withDispatcher<T: Sendable>(
        _ store: any TaskStore, _ transport: ScriptedTransport, settings: WebhookSettings = fast, _ body: @Sendable (WebhookDispatcher) async throws -> T
    ) async throws -> T {
        let dispatcher = WebhookDispatcher(settings: settings, store: store, transport: transport, logger: Logger(label: "t"))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await dispatcher.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(dispatcher)
        }!
    }

    @Test func deliveriesSurviveARestartAndArriveInOrder() async throws {
        let path = Self.tempPath()
        let logger = Logger(label: "t")
        // First life: every change of two tasks is recorded while the receiver is down (no dispatcher runs).
        try await Self.withSQLite(path) { store in
            let registry = TaskRegistry(store: store, webhooks: Self.fast.plan, logger: logger)
            for id in ["1000000000000001", "1000000000000002"] {
                try await registry.create(MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
                await registry.update(id) { $0.status = .submitted }
                await registry.update(id) {
                    $0.status = .inProgress
                    $0.progress = "50%"
                }
                await registry.update(id) { $0.succeed(at: 10) }
            }
            #expect(try await store.outboxDepth() == 6)  // submitted, progress, success × 2
        }
        // Second life: the outbox is still there; superseded states are dropped, the final one delivered once per task.
        try await Self.withSQLite(path) { reopened in
            let transport = ScriptedTransport(answer: 200)
            let sent = try await Self.withDispatcher(reopened, transport) { _ in
                let sent = try await eventually("both SUCCESS deliveries") {
                    let s = await transport.all()
                    return s.filter { $0.event == "task.success" }.count == 2 ? s : nil
                }
                // A row leaves the outbox just after its POST succeeded.
                try await eventually("the outbox emptied") { try await reopened.outboxDepth() == 0 ? true : nil }
                return sent
            }
            #expect(sent.map(\.event) == ["task.success", "task.success"])
        }
    }

    @Test func failedDeliveriesAreRetriedWithTheSameDeliveryIdAndKeptUntilAccepted() async throws {
        let transport = ScriptedTransport(answer: 503)
        try await Self.withSQLite { store in
            let registry = TaskRegistry(store: store, webhooks: Self.fast.plan, logger: Logger(label: "t"))
            try await registry.create(MJTask(id: "1000000000000003", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
            await registry.update("1000000000000003") { $0.succeed(at: 10) }
            try await Self.withDispatcher(store, transport) { dispatcher in
                // Keeps failing: retried, never removed.
                try await eventually("three attempts") { await transport.all().count >= 3 ? true : nil }
                #expect(try await store.outboxDepth() == 1)
                await transport.setAnswer(200)
                try await eventually("the delivery accepted") { try await store.outboxDepth() == 0 ? true : nil }
                #expect(dispatcher.counters.value["retry", default: 0] >= 2)
            }
        }
        let sent = await transport.all()
        #expect(Set(sent.map(\.delivery)).count == 1, "one delivery id across retries: \(sent.map(\.delivery))")
        #expect(sent.allSatisfy { $0.event == "task.success" })
    }

    @Test func perTaskOrderHoldsWhileOtherTasksFlow() async throws {
        let store = MemoryTaskStore()
        let registry = TaskRegistry(store: store, webhooks: Self.fast.plan, logger: Logger(label: "t"))
        let transport = ScriptedTransport(answer: 200)
        let ids = (0..<20).map { String(1_000_000_000_000_100 + $0) }
        try await Self.withDispatcher(store, transport) { _ in
            for id in ids {
                try await registry.create(MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
            }
            for step in 1...5 {
                for id in ids { await registry.update(id) { $0.status = .inProgress; $0.advance(percent: step * 10) } }
            }
            for id in ids { await registry.update(id) { $0.succeed(at: 10) } }
            try await eventually("all SUCCESS deliveries") {
                await transport.all().filter { $0.event == "task.success" }.count == ids.count ? true : nil
            }
        }
        let sent = await transport.all()
        for id in ids {
            let seqs = sent.filter { $0.taskId == id }.map(\.sequence)
            #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "task \(id) out of order: \(seqs)")
            #expect(sent.last { $0.taskId == id }?.event == "task.success")
        }
    }

    @Test func givesUpAfterTheLimitButDeliversLaterStates() async throws {
        let store = MemoryTaskStore()
        var settings = Self.fast
        settings.giveUpAfter = .milliseconds(150)
        let registry = TaskRegistry(store: store, webhooks: settings.plan, logger: Logger(label: "t"))
        let transport = ScriptedTransport(answer: 500)
        try await Self.withDispatcher(store, transport, settings: settings) { dispatcher in
            try await registry.create(MJTask(id: "1000000000000004", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
            await registry.update("1000000000000004") { $0.status = .submitted }
            try await eventually("given up") { dispatcher.counters.value["gave_up", default: 0] >= 1 ? true : nil }
            #expect(try await store.outboxDepth() == 0)
            await transport.setAnswer(200)
            await registry.update("1000000000000004") { $0.succeed(at: 10) }
            try await eventually("the later state") { await transport.all().contains { $0.event == "task.success" } ? true : nil }
        }
    }

    @Test func staleWritesNeverReplaceNewerOnesNorReopenFinishedTasks() async throws {
        try await Self.withSQLite { store in
            var task = MJTask(id: "1000000000000005", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
            task.revision = 1
            try await store.save(task)
            var newer = task
            newer.status = .inProgress
            newer.revision = 3
            try await store.save(newer)
            var stale = task
            stale.status = .submitted
            stale.revision = 2
            try await store.save(stale)
            #expect(try await store.task(id: task.id)?.status == .inProgress)
            var done = newer
            done.succeed(at: 5)
            done.revision = 4
            try await store.save(done)
            var reopened = newer
            reopened.revision = 9
            try await store.save(reopened)
            #expect(try await store.task(id: task.id)?.status == .success)
        }
    }

    @Test func recoverySkipsAnUnreadableRow() async throws {
        try await Self.withSQLite { store in
            try await store.save(MJTask(id: "1000000000000006", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
            try await store.save(MJTask(id: "1000000000000007", action: .imagine, botType: .midJourney, prompt: "q", submitTime: 2))
            try await store.execute("UPDATE tasks SET data = '{not json' WHERE id = '1000000000000006'")
            let recovered = try await store.unfinished()
            #expect(recovered.tasks.map(\.id) == ["1000000000000007"])
            #expect(recovered.skipped == ["1000000000000006"])
        }
    }

    @Test func transitionIsCompareAndSet() async throws {
        let registry = TaskRegistry(store: MemoryTaskStore(), logger: Logger(label: "t"))
        var task = MJTask(id: "1000000000000008", action: .variation, botType: .midJourney, prompt: "p", submitTime: 1)
        task.status = .modal
        try await registry.create(task)
        let winners = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask { await registry.transition("1000000000000008", from: [.modal]) { $0.status = .notStart } != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
    }

    @Test func cursorsOnlyMoveForward() async throws {
        try await Self.withSQLite { store in
            try await store.advanceCursor(channelId: "1", messageId: "1180000000000000500")
            try await store.advanceCursor(channelId: "1", messageId: "1180000000000000400")
            try await store.advanceCursor(channelId: "1", messageId: "999")
            #expect(try await store.cursor(channelId: "1") == "1180000000000000500")
            try await store.advanceCursor(channelId: "1", messageId: "11800000000000005000")
            #expect(try await store.cursor(channelId: "1") == "11800000000000005000")
        }
    }
}
