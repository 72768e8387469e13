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
        var s = prompt.replacingOccurrences(of: #"<?https?://[^\s>]+>?"#, with: " <link> ", options: .regularExpression)
        // Parameters start at the first ` --word` (or `—word`, which Discord clients type for `--`).
        if let r = s.range(of: #"(^|\s)(--|—)[A-Za-z]"#, options: .regularExpression) {
            s = String(s[..<r.lowerBound])
        }
        text = s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
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
