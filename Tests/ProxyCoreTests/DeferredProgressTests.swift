import DiscordKit
import Logging
import Testing

@testable import ProxyCore

/// A running job's progress is kept in memory and written within a second (or with the task's next
/// change); every other change is written before the update returns.
@Suite struct DeferredProgressTests {
    func running(_ registry: TaskRegistry, _ id: String) async throws {
        try await registry.create(MJTask(id: id, action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1))
        await registry.update(id) {
            $0.status = .inProgress
            $0.progress = "0%"
        }
    }

    @Test func progressIsWrittenByTheFlushAndStateChangesAtOnce() async throws {
        let store = MemoryTaskStore()
        let registry = TaskRegistry(store: store, logger: Logger(label: "t"))
        let id = "1000000000000077"
        try await running(registry, id)
        #expect(try await store.task(id: id)?.status == .inProgress)
        await registry.update(id) {
            $0.progress = "46%"
            $0.imageUrl = "https://cdn/preview.png"
            $0.lastActivity = 5
        }
        // Memory, lists and the read cache have it; the store not yet.
        #expect(try await registry.task(id: id)?.progress == "46%")
        #expect(String(decoding: try #require(registry.cache.get(id)), as: UTF8.self).contains(#""progress":"46%""#))
        #expect(try await store.task(id: id)?.progress == "0%")
        await registry.flushProgress()
        #expect(try await store.task(id: id)?.progress == "46%")
        #expect(try await store.task(id: id)?.imageUrl == "https://cdn/preview.png")

        // A later state change writes everything at once, and a flush after it never sets it back.
        await registry.update(id) { $0.progress = "93%" }
        await registry.update(id) {
            $0.status = .success
            $0.progress = "100%"
            $0.finishTime = 9
        }
        #expect(try await store.task(id: id)?.status == .success)
        await registry.flushProgress()
        #expect(try await store.task(id: id)?.status == .success)
        #expect(try await store.task(id: id)?.progress == "100%")
    }

    @Test func onlyProgressOfARunningJobWaits() {
        var old = MJTask(id: "1", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        old.status = .inProgress
        var progress = old
        progress.progress = "15%"
        progress.imageUrl = "u"
        progress.lastActivity = 3
        progress.revision = 4
        #expect(TaskRegistry.onlyProgressChanged(old, progress))
        var property = progress
        property.setProperty("progressMessageId", string: "9")
        #expect(!TaskRegistry.onlyProgressChanged(old, property))
        var notRunning = old
        notRunning.status = .submitted
        var stamped = notRunning
        stamped.setProperty("nonce", string: "123")
        #expect(!TaskRegistry.onlyProgressChanged(notRunning, stamped))
        var finished = progress
        finished.status = .success
        #expect(!TaskRegistry.onlyProgressChanged(old, finished))
    }
}
