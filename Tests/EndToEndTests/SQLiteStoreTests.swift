import DiscordKit
import Foundation
import Logging
import ProxyCore
import Storage
import Testing

/// The SQLite store: migrations, round trips, paging, unfinished tasks.
@Suite struct SQLiteStoreTests {
    @Test func migratesAndRoundTrips() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-store-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteTaskStore.open(path: path, logger: .init(label: "t"))
        #expect(try await store.schemaVersion() == 3)
        var a = MJTask(id: "1732512345678001", action: .imagine, botType: .midJourney, prompt: "猫 --ar 16:9", submitTime: 1_732_512_345_678)
        a.setProperty("discordInstanceId", string: "acc")
        a.setProperty("flags", .int(0))
        a.buttons = [TaskButton(customId: "MJ::JOB::upsample::1::h", emoji: "", label: "U1")]
        let b = MJTask(id: "1732512345678002", action: .upscale, botType: .nijiJourney, prompt: "p", submitTime: 1_732_512_345_679)
        try await store.save(a)
        try await store.save(b)
        a.succeed(at: 1_732_512_345_999)
        try await store.save(a)
        #expect(try await store.task(id: a.id) == a)
        #expect(try await store.task(id: a.id)?.json.compactString == a.json.compactString)
        #expect(try await store.unfinished().tasks.map(\.id) == [b.id])
        #expect(try await store.list(limit: 1, before: nil).map(\.id) == [b.id])
        #expect(try await store.list(limit: 5, before: b.id).map(\.id) == [a.id])
        #expect(Set(try await store.tasks(ids: [a.id, "nope", b.id]).map(\.id)) == [a.id, b.id])
        try await store.close()
        // Reopening runs no migration twice and keeps the data.
        let again = try await SQLiteTaskStore.open(path: path, logger: .init(label: "t"))
        #expect(try await again.schemaVersion() == 3)
        #expect(try await again.task(id: b.id)?.botType == .nijiJourney)
        try await again.close()
    }
}
