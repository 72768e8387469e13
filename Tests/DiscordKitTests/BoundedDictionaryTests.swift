import DiscordKit
import Testing

/// The bounded dictionary behind caches and the sandbox bot's memory.
@Suite struct BoundedDictionaryTests {
    @Test func keepsAtMostCapacityOldestOutFirst() {
        var d = BoundedDictionary<String, Int>(capacity: 3)
        for i in 1...5 { d["k\(i)"] = i }
        #expect(d.count == 3 && d["k1"] == nil && d["k2"] == nil && d["k5"] == 5)
        // Replacing keeps the age: k3 is still the oldest.
        d["k3"] = 33
        d["k6"] = 6
        #expect(d["k3"] == nil && d["k4"] == 4 && d["k6"] == 6)
    }

    @Test func removedAndReinsertedKeysAreYoung() {
        var d = BoundedDictionary<String, Int>(capacity: 2)
        d["a"] = 1
        d["b"] = 2
        #expect(d.removeValue(forKey: "a") == 1)
        d["a"] = 10  // now younger than b
        d["c"] = 3  // evicts b, not the re-inserted a
        #expect(d["a"] == 10 && d["b"] == nil && d["c"] == 3)
    }

    @Test func churnStaysBounded() {
        var d = BoundedDictionary<Int, Int>(capacity: 100)
        for i in 0..<100_000 {
            d[i] = i
            if i % 2 == 0 { d[i] = nil }
        }
        #expect(d.count <= 100)
        #expect(d[99_999] == 99_999)
    }
}
