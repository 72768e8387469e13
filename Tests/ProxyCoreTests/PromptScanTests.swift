import DiscordKit
import Foundation
import Testing

@testable import ProxyCore

/// The prompt scans written without regular expressions give what the patterns gave (Foundation's
/// `.regularExpression`, kept here as the reference), on fixed cases and on seeded random prompts
/// built from the characters that matter (links, dashes, em dashes, spaces of several kinds, letters).
@Suite struct PromptScanTests {
    static func referenceKey(_ prompt: String) -> String {
        var s = prompt.replacingOccurrences(of: #"<?https?://[^\s>]+>?"#, with: " <link> ", options: .regularExpression)
        if let r = s.range(of: #"(^|\s)(--|—)[A-Za-z]"#, options: .regularExpression) { s = String(s[..<r.lowerBound]) }
        return s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }

    static func referenceContains(_ prompt: String, _ flag: String) -> Bool {
        prompt.range(of: #"(^|\s)\#(flag)(\s|$)"#, options: .regularExpression) != nil
    }

    static func referenceRemoving(_ prompt: String, _ flag: String) -> String {
        prompt.replacingOccurrences(of: #"(^|\s)\#(flag)(?=\s|$)"#, with: "", options: .regularExpression)
    }

    static let fixed = [
        "", "cat", "cat --ar 16:9", "--v 6 cat", "a --http://x", "<https://s.mj.run/X> Aerial   photo --ar 16:9", "x—ar 2", "x —ar 2",
        "http://a.b/c--ar d --fast", "a --fast --fast b", "--fast", "x  --fast", "--fast--fast", "a\u{3000}--relax", "<http://x", "https://",
        "a --turbo\n", "ÉTÉ --Fast", "a <https://x.y/z>--ar 3", "a\u{2028}--q 2", "cat --",
    ]

    /// Random prompts over the characters the patterns look at.
    static func randomPrompts(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let pieces = [
            " ", "  ", "\t", "\n", "\u{3000}", "\u{00A0}", "\u{2028}", "-", "--", "—", "a", "Z", "é", "猫", "<", ">", "http://", "https://",
            "s.mj.run/x", "--fast", "--relax", "--turbo", "--ar", "16:9", ":", "h", "ttp", "fast",
        ]
        return (0..<count).map { _ in (0..<Int(next() % 12)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }
    }

    @Test func promptKeysMatchThePatterns() {
        for prompt in Self.fixed + Self.randomPrompts(count: 3000, seed: 42) {
            #expect(PromptKey(prompt).text == Self.referenceKey(prompt), "\(prompt.debugDescription)")
        }
    }

    @Test func flagsMatchThePatterns() {
        for prompt in Self.fixed + Self.randomPrompts(count: 3000, seed: 7) {
            for flag in ["--fast", "--relax", "--turbo"] {
                #expect(PromptScan.containsFlag(prompt, flag) == Self.referenceContains(prompt, flag), "\(prompt.debugDescription) \(flag)")
                #expect(PromptScan.removingFlag(prompt, flag) == Self.referenceRemoving(prompt, flag), "\(prompt.debugDescription) \(flag)")
            }
        }
    }
}
