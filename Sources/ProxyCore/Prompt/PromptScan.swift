/// Prompt scans that were regular expressions (Foundation's `.regularExpression` compiles the pattern on
/// every call: a few percent of the end-to-end benchmark). Each keeps the pattern's meaning, with
/// ICU's `\s` (tab, line feed, form feed, carriage return and the Unicode separators Z*); the tests
/// hold them to the patterns.
enum PromptScan {
    /// ICU's `\s`: `[\t\n\f\r\p{Z}]`.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "\t", "\n", "\u{0C}", "\r": return true
        default:
            switch s.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// Where a link matched by `<?https?://[^\s>]+>?` at `i` ends, nil when none starts there.
    static func linkEnd(_ s: [Unicode.Scalar], at i: Int) -> Int? {
        var j = i
        if j < s.count, s[j] == "<" { j += 1 }
        func literal(_ text: String) -> Bool {
            for c in text.unicodeScalars {
                guard j < s.count, s[j] == c else { return false }
                j += 1
            }
            return true
        }
        guard literal("http") else { return nil }
        if j < s.count, s[j] == "s" { j += 1 }
        guard literal("://") else { return nil }
        let start = j
        while j < s.count, !isSpace(s[j]), s[j] != ">" { j += 1 }
        guard j > start else { return nil }
        if j < s.count, s[j] == ">" { j += 1 }
        return j
    }

    /// Whether `flag` stands as a word in `prompt`: `(^|\s)flag(\s|$)`.
    static func containsFlag(_ prompt: String, _ flag: String) -> Bool {
        let s = Array(prompt.unicodeScalars)
        let f = Array(flag.unicodeScalars)
        return flagStarts(s, f).contains { $0 + f.count == s.count || isSpace(s[$0 + f.count]) }
    }

    /// `prompt` without each `flag` that follows the start or a space and is followed by a space or the
    /// end, the space before it removed too: `(^|\s)flag(?=\s|$)` replaced by nothing.
    static func removingFlag(_ prompt: String, _ flag: String) -> String {
        let s = Array(prompt.unicodeScalars)
        let f = Array(flag.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            let atWordStart = i == 0 || isSpace(s[i - 1])
            if atWordStart, matches(s, f, at: i), i + f.count == s.count || isSpace(s[i + f.count]) {
                // The space before the flag belongs to the match.
                if i > 0, !out.isEmpty { out.removeLast() }
                i += f.count
                continue
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }

    private static func matches(_ s: [Unicode.Scalar], _ f: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + f.count <= s.count else { return false }
        for k in 0..<f.count where s[i + k] != f[k] { return false }
        return true
    }

    /// Offsets where `f` starts at the beginning of `s` or after a space.
    private static func flagStarts(_ s: [Unicode.Scalar], _ f: [Unicode.Scalar]) -> [Int] {
        guard !f.isEmpty else { return [] }
        return (0..<s.count).filter { ($0 == 0 || isSpace(s[$0 - 1])) && matches(s, f, at: $0) }
    }
}
