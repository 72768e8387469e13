import Foundation
import Logging
import ProxyCore
import Testing

/// Banned words: whole-word, case-insensitive matching; phrases; CJK substrings; file reloads.
@Suite struct BannedWordsTests {
    let logger = Logger(label: "banned-words-test")

    /// A fresh temporary file path.
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("banned-\(UUID().uuidString).txt").path
    }

    @Test func wholeWordsCaseInsensitive() async {
        let banned = BannedWords(words: ["nude", "Gore"], file: nil, logger: logger)
        #expect(await banned.count == 2)
        #expect(await banned.firstMatch(in: "A NUDE cat") == "NUDE")
        #expect(await banned.firstMatch(in: "nude") == "nude")
        #expect(await banned.firstMatch(in: "a cat, Nude, 4k") == "Nude")
        #expect(await banned.firstMatch(in: "so much gore--ar 16:9") == "gore")
        #expect(await banned.firstMatch(in: "nudes on a beach") == nil)
        #expect(await banned.firstMatch(in: "denude the tree") == nil)
        #expect(await banned.firstMatch(in: "nude2") == nil)
        #expect(await banned.firstMatch(in: "a gorey nudist") == nil)
        #expect(await banned.firstMatch(in: "") == nil)
    }

    @Test func phrasesMatchConsecutiveWords() async {
        let banned = BannedWords(words: ["blood bath", "  Blood-Bath  ", "dead body parts"], file: nil, logger: logger)
        // "blood bath" and "Blood-Bath" are the same entry.
        #expect(await banned.count == 2)
        #expect(await banned.firstMatch(in: "a Blood   Bath at dawn") == "Blood   Bath")
        #expect(await banned.firstMatch(in: "blood-bath") == "blood-bath")
        #expect(await banned.firstMatch(in: "bloody bath") == nil)
        #expect(await banned.firstMatch(in: "blood bathtub") == nil)
        #expect(await banned.firstMatch(in: "blood and a bath") == nil)
        #expect(await banned.firstMatch(in: "blood") == nil)
        #expect(await banned.firstMatch(in: "the dead body parts lie") == "dead body parts")
        #expect(await banned.firstMatch(in: "the dead body lies") == nil)
    }

    @Test func firstMatchIsTheEarliestInTheText() async {
        let banned = BannedWords(words: ["gore", "nude"], file: nil, logger: logger)
        #expect(await banned.firstMatch(in: "nude and gore") == "nude")
        #expect(await banned.firstMatch(in: "GORE and nude") == "GORE")
    }

    @Test func cjkMatchesBySubstring() async {
        let banned = BannedWords(words: ["裸体", "血腥", "AV女优"], file: nil, logger: logger)
        #expect(await banned.firstMatch(in: "一个裸体的人") == "裸体")
        #expect(await banned.firstMatch(in: "a 血腥场面, 4k") == "血腥")
        #expect(await banned.firstMatch(in: "一只可爱的猫") == nil)
        #expect(await banned.firstMatch(in: "裸") == nil)
        // Mixed entries: the Latin word whole, the CJK run as a prefix of the next run.
        #expect(await banned.firstMatch(in: "一个av女优们") == "av女优")
        #expect(await banned.firstMatch(in: "一个AV 女优") == "AV 女优")
        #expect(await banned.firstMatch(in: "一个nav女优") == nil)
    }

    @Test func fileEntriesCommentsAndBlankLines() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# banned words\n\nnude\n  Gore  # inline comment\n血腥\nblood bath\n".write(toFile: path, atomically: true, encoding: .utf8)
        let banned = BannedWords(words: ["weapon"], file: path, logger: logger)
        #expect(await banned.count == 5)
        #expect(await banned.firstMatch(in: "GORE everywhere") == "GORE")
        #expect(await banned.firstMatch(in: "a Weapon") == "Weapon")
        #expect(await banned.firstMatch(in: "blood bath") == "blood bath")
        #expect(await banned.firstMatch(in: "comment inline banned words") == nil)
    }

    @Test func reloadsWhenTheFileChanges() async throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "nude\n".write(toFile: path, atomically: true, encoding: .utf8)
        let banned = BannedWords(words: ["config"], file: path, reloadInterval: .milliseconds(50), logger: logger)
        #expect(await banned.firstMatch(in: "a nude cat") == "nude")
        #expect(await banned.firstMatch(in: "a gory cat") == nil)

        try "gory\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: path)
        try await Task.sleep(for: .milliseconds(120))
        #expect(await banned.firstMatch(in: "a gory cat") == "gory")
        #expect(await banned.firstMatch(in: "a nude cat") == nil)
        // Config words survive reloads.
        #expect(await banned.firstMatch(in: "CONFIG") == "CONFIG")
        #expect(await banned.count == 2)

        // A missing file keeps the last good list.
        try FileManager.default.removeItem(atPath: path)
        try await Task.sleep(for: .milliseconds(120))
        #expect(await banned.firstMatch(in: "a gory cat") == "gory")

        // It is picked up again when it comes back.
        try "nude\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(120)], ofItemAtPath: path)
        try await Task.sleep(for: .milliseconds(120))
        #expect(await banned.firstMatch(in: "a nude cat") == "nude")
        #expect(await banned.firstMatch(in: "a gory cat") == nil)
    }

    @Test func missingFileAtStartUsesConfigWords() async {
        let banned = BannedWords(words: ["nude"], file: "/nonexistent/banned-\(UUID().uuidString).txt", logger: logger)
        #expect(await banned.count == 1)
        #expect(await banned.firstMatch(in: "Nude") == "Nude")
    }

    @Test func largeListsAndLongPrompts() async throws {
        // 20,000 entries: words, phrases and CJK strings.
        var entries: [String] = []
        for i in 0..<10_000 { entries.append("banned\(i)word") }
        for i in 0..<5_000 { entries.append("bad phrase number\(i)") }
        let ideographs = Array("天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏")
        let n = ideographs.count  // 24, so three base-24 digits keep the 5,000 entries distinct
        for i in 0..<5_000 {
            entries.append(String([ideographs[i % n], ideographs[(i / n) % n], ideographs[(i / (n * n)) % n], "禁"]))
        }
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try entries.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let banned = BannedWords(words: [], file: path, logger: logger)
        #expect(await banned.count == 20_000)

        let clean = Array(repeating: "a lovely cat with bad phrases in a 天地玄黄 garden,", count: 100).joined(separator: " ")
        #expect(await banned.firstMatch(in: clean) == nil)
        #expect(await banned.firstMatch(in: clean + " BANNED9999WORD") == "BANNED9999WORD")
        #expect(await banned.firstMatch(in: clean + " bad Phrase NUMBER4321!") == "bad Phrase NUMBER4321")
        // Entry 1777 = 1 + 2·24 + 3·576 → 地玄黄禁.
        #expect(await banned.firstMatch(in: clean + " 一片地玄黄禁土") == "地玄黄禁")
    }
}
