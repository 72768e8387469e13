import DiscordKit
import Foundation
import Testing

/// `JSONParser` gives what the `Decodable` route through `JSONDecoder` gave, and refuses what it refused.
@Suite struct JSONParserTests {
    /// The previous route: Foundation's decoder into `JSONValue`'s `Decodable` conformance.
    static func viaDecoder(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test(arguments: [
        #"{"b":1,"a":[true,false,null,-0,12,1.5,-2.25e3,"x"],"c":{"z":"\u00e9\ud83d\ude00\n\t\"\\\/"}}"#,
        #"  [ ]  "#, #"{}"#, #""top""#, #"42"#, #"-9223372036854775808"#, #"9223372036854775808"#, #"1e19"#, #"0.1"#,
        #"{"ids":["1732512345678042",1732512345678043,1e3]}"#, #"{"k":"猫 --ar 16:9","n":null}"#, #"[1E2, 2e-2, -0.0]"#,
    ])
    func agreesWithTheDecoder(text: String) throws {
        let parsed = try JSONParser.parse(Array(text.utf8))
        #expect(parsed == Self.viaDecoder(text))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\u12\"", "1e400", "[1] 2", "tru", "nul", "{\"a\" 1}", "[\"a\" \"b\"]", "NaN", "Infinity",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test(arguments: ["plain", "", "é😀 ünïcode", "q\"uote", "back\\slash", "line\nbreak\r\ttab", "\u{08}\u{0C}\u{01}\u{1F}x", "\"", "end\\", "ß\n中"])
    func stringsAreWrittenWithMinimalEscapesAndReadBack(text: String) throws {
        let written = JSONValue.string(text).compactString
        #expect(try JSONDecoder().decode(String.self, from: Data(written.utf8)) == text)
        #expect(!written.unicodeScalars.contains { $0.value < 0x20 }, "\(written)")
        if !text.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\\" || $0.value < 0x20 }) { #expect(written == "\"" + text + "\"") }
    }

    @Test func controlCharactersUseTheShortOrHexEscapes() {
        #expect(JSONValue.string("a\u{01}\n\u{1F}\"\\").compactString == #""a\u0001\n\u001f\"\\""#)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(repeating: UInt8(ascii: "["), count: 100_000)) }
        let deepButFine = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect((try? JSONParser.parse(Array(deepButFine.utf8))) != nil)
    }

    @Test func duplicateKeysKeepTheLastAndKeysAreSorted() throws {
        #expect(try JSONParser.parse(Array(#"{"b":1,"a":2,"b":3}"#.utf8)) == .object([("a", .int(2)), ("b", .int(3))]))
    }

    /// Random documents written by `JSONValue` read back to the same value.
    @Test func roundTripsRandomDocuments() throws {
        var random = SplitMix64(seed: 7)
        func make(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &random))
            case 3: return .double(Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 64 + 0.5)
            case 4: return .string(String((0..<Int.random(in: 0..<12, using: &random)).map { _ in "a\"\\\n\u{1}é猫😀/ ".randomElement(using: &random)! }))
            case 5: return .array((0..<Int.random(in: 0..<5, using: &random)).map { _ in make(depth + 1) })
            default:
                var keys = Set<String>()
                for _ in 0..<Int.random(in: 0..<5, using: &random) { keys.insert("k\(Int.random(in: 0..<50, using: &random))") }
                return .object(keys.sorted().map { ($0, make(depth + 1)) })
            }
        }
        for _ in 0..<500 {
            let v = make(0)
            #expect(try JSONParser.parse(Array(v.compactString.utf8)) == v)
        }
    }
}
