import Foundation

/// A prompt reduced the way the Java and C# peers compare prompts (novicezk `getPrimaryPrompt`,
/// trueai `MjPromptParser`): parameters (`--x …`) cut, URLs (bare or `<…>` short links) replaced by
/// `<link>`, whitespace collapsed, case folded. Two keys fit when equal, or when one is a
/// word-bounded prefix of the other.
public struct PromptKey: Sendable, Equatable, CustomStringConvertible {
    /// The reduced text.
    public let text: String

    /// Reduces `prompt`.
    public init(_ prompt: String) {
        // One pass (`PromptScan`): links (`<?https?://[^\s>]+>?`) become ` <link> `; the text ends where the
        // parameters start, at the first `--word` (or `—word`, which Discord clients type for `--`) at the
        // start or after a space.
        let s = Array(prompt.unicodeScalars)
        var reduced = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if let end = PromptScan.linkEnd(s, at: i) {
                reduced.append(contentsOf: " <link> ".unicodeScalars)
                i = end
                continue
            }
            if reduced.last.map(PromptScan.isSpace) ?? true, Self.parameterStarts(s, at: i) {
                // The space before the parameter goes too (it was part of the pattern's match).
                if !reduced.isEmpty { reduced.removeLast() }
                break
            }
            reduced.append(s[i])
            i += 1
        }
        text = String(reduced).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }

    /// `(--|—)[A-Za-z]` at `i`, in the text with links replaced (a letter starting a link is no letter there).
    private static func parameterStarts(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        func letter(_ k: Int) -> Bool {
            k < s.count && (("A"..."Z").contains(s[k]) || ("a"..."z").contains(s[k])) && PromptScan.linkEnd(s, at: k) == nil
        }
        if s[i] == "—" { return letter(i + 1) }
        return s[i] == "-" && i + 1 < s.count && s[i + 1] == "-" && letter(i + 2)
    }

    public var description: String { text }

    /// How well two prompts fit: 2 equal, 1 one is a word-bounded prefix of the other, 0 otherwise
    /// (two empty keys fit as equal: a blend without text echoes `****`).
    public func fit(_ other: PromptKey) -> Int {
        if text == other.text { return 2 }
        guard !text.isEmpty, !other.text.isEmpty else { return 0 }
        let (short, long) = text.count < other.text.count ? (text, other.text) : (other.text, text)
        guard long.hasPrefix(short) else { return 0 }
        return long.dropFirst(short.count).first == " " ? 1 : 0
    }
}
