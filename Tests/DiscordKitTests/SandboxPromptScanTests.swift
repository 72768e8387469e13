import DiscordKit
import Foundation
import Testing

@testable import Sandbox

/// The simulated bot's parameter scans give what its former patterns gave (kept here as the reference),
/// on fixed cases and on seeded random prompts over the characters that matter.
@Suite struct SandboxPromptScanTests {
    static func referenceNames(_ prompt: String) -> [String] {
        prompt.matches(of: /(?:^|\s)--([A-Za-z][A-Za-z0-9_]*)/).map { String($0.output.1).lowercased() }
    }

    static func referenceAspect(_ prompt: String) -> [String]? {
        guard let m = prompt.firstMatch(of: /--(ar|aspect)\s+(\d+):(\d+)/) else { return nil }
        return [String(m.output.2), String(m.output.3)]
    }

    static let fixed = [
        "", "cat", "cat --ar 16:9", "--v 6 cat --AR 2:3", "x--ar 3:2", "--aspect  4:5", "--ar\t16:9", "--ar 16:", "--ar :9",
        "--arx 1:2 --ar 5:4", "a --q_2 --no-x", "--", "-- --a", "--1", "é --Été", "x\u{3000}--tile", "--ar 1:2 --ar 3:4", "--ar 0:1",
    ]

    static func randomPrompts(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let pieces = [
            " ", "  ", "\t", "\n", "\u{3000}", "\u{00A0}", "-", "--", "a", "Z", "é", "猫", "_", "1", "16", "9", ":", "ar", "aspect",
            "--ar", "--aspect", "--v", "v", "x1", "٣",
        ]
        return (0..<count).map { _ in (0..<Int(next() % 12)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined() }
    }

    @Test func parameterNamesMatchThePattern() {
        for prompt in Self.fixed + Self.randomPrompts(count: 3000, seed: 11) {
            #expect(PromptParameters.names(in: prompt) == Self.referenceNames(prompt), "\(prompt.debugDescription)")
        }
    }

    @Test func aspectMatchesThePattern() {
        for prompt in Self.fixed + Self.randomPrompts(count: 3000, seed: 5) {
            let reference = Self.referenceAspect(prompt)
            let scanned = PromptParameters.aspect(in: prompt)
            // Digits of other scripts match `\d` but are no number: the scan gives nil there.
            if let reference, let w = Double(reference[0]), let h = Double(reference[1]) {
                #expect(scanned?.width == w && scanned?.height == h, "\(prompt.debugDescription)")
            } else {
                #expect(scanned == nil, "\(prompt.debugDescription)")
            }
        }
    }
}
