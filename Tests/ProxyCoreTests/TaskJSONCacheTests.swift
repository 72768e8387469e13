import DiscordKit
import Logging
import ProxyCore
import Testing

/// The read cache of encoded task JSON: bounded, oldest out first, always the newest state written.
@Suite struct TaskJSONCacheTests {
    @Test func boundedOldestEvictedFirst() {
        let cache = TaskJSONCache(capacity: 3)
        for i in 1...5 { cache.put("t\(i)", Array("\(i)".utf8)) }
        #expect(cache.count == 3)
        #expect(cache.get("t1") == nil && cache.get("t2") == nil)
        #expect(cache.get("t5") == Array("5".utf8))
        // Replacing an entry does not count as a new one.
        cache.put("t3", Array("33".utf8))
        #expect(cache.count == 3 && cache.get("t3") == Array("33".utf8) && cache.get("t4") != nil)
        // Many rounds stay bounded.
        for i in 0..<1000 { cache.put("x\(i)", [1]) }
        #expect(cache.count == 3)
        #expect(cache.get("x999") == [1])
    }

    /// Numeric ids are keyed as numbers; ids that only look alike never share an entry.
    @Test func numericAndTextIdsStayApart() {
        let cache = TaskJSONCache(capacity: 10)
        cache.put("1732512345678042", [1])
        cache.put("01732512345678042", [2])
        cache.put("9999999999999999999", [3])
        cache.put("99999999999999999999", [4])
        cache.put("0", [5])
        cache.put("", [6])
        #expect(cache.get("1732512345678042") == [1])
        #expect(cache.get("01732512345678042") == [2])
        #expect(cache.get("9999999999999999999") == [3])
        #expect(cache.get("99999999999999999999") == [4])
        #expect(cache.get("0") == [5] && cache.get("00") == nil && cache.get("") == [6])
        #expect(cache.get(["1732512345678042", "x", "0"]) == [[1], nil, [5]])
    }

    @Test func registryKeepsTheCacheOnTheNewestState() async throws {
        let registry = TaskRegistry(store: MemoryTaskStore(), logger: Logger(label: "t"))
        let task = MJTask(id: "1000000000000009", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 1)
        try await registry.create(task)
        #expect(registry.cache.get(task.id) == Array(task.json.compactString.utf8))
        let done = await registry.update(task.id) { $0.succeed(at: 5) }
        let expected = try #require(done).json.compactString
        #expect(registry.cache.get(task.id) == Array(expected.utf8))
        // A finished task read back from the store after eviction is cached again, unchanged.
        let small = TaskRegistry(store: MemoryTaskStore(), cache: TaskJSONCache(capacity: 1), logger: Logger(label: "t"))
        try await small.create(task)
        let finished = try #require(await small.update(task.id) { $0.succeed(at: 5) })
        try await small.create(MJTask(id: "1000000000000010", action: .imagine, botType: .midJourney, prompt: "q", submitTime: 2))
        #expect(small.cache.get(task.id) == nil)
        _ = try await small.task(id: task.id)
        #expect(small.cache.get(task.id) == Array(finished.json.compactString.utf8))
    }
}
