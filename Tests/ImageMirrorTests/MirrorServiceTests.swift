import DiscordKit
import Foundation
import Logging
import ProxyCore
import Testing

@testable import ImageMirror

/// What the mirror queues, its back-off, and the registry's amend (no webhook, finished tasks too).
@Suite struct MirrorServiceTests {
    static func service(previews: Bool = false, registry: TaskRegistry) -> ImageMirrorService {
        var settings = ImageMirrorSettings()
        settings.previews = previews
        settings.firstRetryDelay = .seconds(2)
        settings.maxRetryDelay = .seconds(60)
        return ImageMirrorService(
            settings: settings, backend: DiskImageBackend(directory: "/nonexistent"),
            links: ImageLinks(signer: ImageURLSigner(key: [1, 2, 3]), proxyBase: { "http://x" }, cdnBase: nil, lifetime: nil),
            registry: registry, fetcher: { OutboundHTTP() }, isDiscordURL: { $0.hasPrefix("https://cdn.discordapp.com/") }, logger: Logger(label: "t"))
    }

    static func task(_ status: TaskStatus, url: String?) -> MJTask {
        var t = MJTask(id: "1800000000000000001", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        t.status = status
        t.imageUrl = url
        t.progress = status == .success ? "100%" : "46%"
        return t
    }

    @Test func queuesFinalImagesAndPreviewsOnlyWhenAsked() {
        let registry = TaskRegistry(store: MemoryTaskStore(), logger: Logger(label: "t"))
        let discord = "https://cdn.discordapp.com/attachments/1/2/a.png?ex=1"
        let plain = Self.service(registry: registry)
        #expect(plain.job(for: Self.task(.success, url: discord), event: .success)?.previewPercent == nil)
        #expect(plain.job(for: Self.task(.success, url: discord), event: .success)?.dedupeKey == "1800000000000000001/final")
        #expect(plain.job(for: Self.task(.inProgress, url: discord), event: .progress) == nil)
        #expect(plain.job(for: Self.task(.success, url: "https://mj.example.com/mj/image/1/final.png"), event: .success) == nil)
        #expect(plain.job(for: Self.task(.success, url: nil), event: .success) == nil)
        var mirrored = Self.task(.success, url: discord)
        mirrored.setProperty("discordImageUrl", string: discord)
        #expect(plain.job(for: mirrored, event: .success) == nil)
        let withPreviews = Self.service(previews: true, registry: registry)
        #expect(withPreviews.job(for: Self.task(.inProgress, url: discord), event: .progress)?.previewPercent == 46)
    }

    @Test func retriesBackOffByDoublingUpToTheCap() {
        let s = Self.service(registry: TaskRegistry(store: MemoryTaskStore(), logger: Logger(label: "t")))
        #expect((1...7).map { s.retryDelay(afterAttempts: $0) } == [2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
    }

    @Test func amendChangesAFinishedTaskWithoutAnEvent() async throws {
        let store = MemoryTaskStore()
        let sink = RecordingSink()
        let registry = TaskRegistry(store: store, sinks: [sink], logger: Logger(label: "t"))
        var task = Self.task(.notStart, url: nil)
        try await registry.create(task)
        task = try #require(await registry.update(task.id) { $0.imageUrl = "https://cdn.discordapp.com/a.png"; $0.succeed(at: 5) })
        let events = sink.events.value.count
        let amended = await registry.amend(task.id) {
            $0.setProperty("discordImageUrl", string: $0.imageUrl)
            $0.imageUrl = "http://x/mj/image/1/final.png"
            return true
        }
        #expect(amended?.revision == (task.revision ?? 0) + 1)
        #expect(try await store.task(id: task.id)?.imageUrl == "http://x/mj/image/1/final.png")
        #expect(registry.cache.get(task.id).map { String(decoding: $0, as: UTF8.self) }?.contains("discordImageUrl") == true)
        #expect(sink.events.value.count == events)
        // The seed cache builds on the amended task.
        await registry.setSeed(task.id, "42")
        let stored = try #require(try await store.task(id: task.id))
        #expect(stored.property("seed") == "42" && stored.property("discordImageUrl") != nil && stored.status == .success)
        #expect(await registry.amend("1999999999999999999") { _ in true } == nil)
    }
}

/// Records the events a registry announces.
final class RecordingSink: TaskEventSink {
    let events = Locked<[TaskEvent]>([])
    func taskChanged(_ task: MJTask, event: TaskEvent) async { events.withLock { $0.append(event) } }
}
