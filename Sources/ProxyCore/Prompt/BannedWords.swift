import Foundation
import Logging

/// Banned words and phrases: from config plus an optional word-list file (one entry a line, `#` comments),
/// matched case-insensitively on whole words; runs of CJK characters (no spaces between words) match by substring.
/// The file is re-read when its modification time changes, checked lazily at most once per `reloadInterval`.
public actor BannedWords {
    /// A word of a text or entry: a maximal run of letters/digits, or a maximal run of CJK characters.
    struct Token: Hashable, Sendable {
        /// Lowercased text.
        var text: String
        /// A run of CJK ideographs / kana / hangul, matched by substring.
        var isCJK: Bool
    }

    /// A token of the scanned text, with its place in the original.
    struct TextToken {
        var token: Token
        var range: Range<String.Index>
        /// The characters of a CJK run (CJK characters have no case, so these equal the original ones).
        var characters: [Character]
    }

    /// The lookup structure: O(words in the text) for word entries, O(CJK characters × entries sharing a first character) for CJK ones.
    struct Index: Sendable {
        /// Entries of exactly one non-CJK word.
        var singleWords: Set<String> = []
        /// Entries of several tokens starting with a non-CJK word, by that word, longest first.
        var phrasesByFirstWord: [String: [[Token]]] = [:]
        /// Entries starting with a CJK run, by the run's first character, longest first.
        var cjkByFirstCharacter: [Character: [(first: [Character], rest: [Token])]] = [:]
        /// Number of distinct entries.
        var count = 0

        init(entries: [String]) {
            var seen: Set<[Token]> = []
            for entry in entries {
                let tokens = BannedWords.tokenize(entry).map(\.token)
                guard !tokens.isEmpty, seen.insert(tokens).inserted else { continue }
                if tokens[0].isCJK {
                    let first = Array(tokens[0].text)
                    cjkByFirstCharacter[first[0], default: []].append((first, Array(tokens.dropFirst())))
                } else if tokens.count == 1 {
                    singleWords.insert(tokens[0].text)
                } else {
                    phrasesByFirstWord[tokens[0].text, default: []].append(tokens)
                }
            }
            count = seen.count
            phrasesByFirstWord = phrasesByFirstWord.mapValues { list in list.sorted { $0.count > $1.count } }
            cjkByFirstCharacter = cjkByFirstCharacter.mapValues { list in
                list.sorted { ($0.first.count, $0.rest.count) > ($1.first.count, $1.rest.count) }
            }
        }

        /// Whether `rest` matches the text tokens from `start` on: middle tokens exactly, a CJK last token as a prefix.
        static func matchesRest(_ rest: ArraySlice<Token>, in tokens: [TextToken], from start: Int) -> Int? {
            var t = start
            for (n, want) in zip(rest.indices, rest) {
                guard t < tokens.count else { return nil }
                let have = tokens[t]
                guard have.token.isCJK == want.isCJK else { return nil }
                let isLast = n == rest.index(before: rest.endIndex)
                if want.isCJK && isLast {
                    guard have.characters.starts(with: want.text) else { return nil }
                } else {
                    guard have.token.text == want.text else { return nil }
                }
                t += 1
            }
            return t - 1
        }

        /// The first match in `text`, in its original spelling.
        func firstMatch(in text: String) -> String? {
            guard count > 0 else { return nil }
            let tokens = BannedWords.tokenize(text)
            for (i, tt) in tokens.enumerated() {
                if tt.token.isCJK {
                    let chars = tt.characters
                    for start in chars.indices {
                        guard let candidates = cjkByFirstCharacter[chars[start]] else { continue }
                        for (first, rest) in candidates {
                            guard chars[start...].starts(with: first) else { continue }
                            let end = start + first.count
                            if rest.isEmpty {
                                return String(chars[start..<end])
                            }
                            // The CJK run must reach the end of this token for the entry to continue into the next.
                            guard end == chars.count, let last = Self.matchesRest(rest[...], in: tokens, from: i + 1) else { continue }
                            let startIndex = text.index(tt.range.lowerBound, offsetBy: start)
                            let endIndex = endOfMatch(tokens[last], want: rest[rest.count - 1], in: text)
                            return String(text[startIndex..<endIndex])
                        }
                    }
                } else {
                    if singleWords.contains(tt.token.text) { return String(text[tt.range]) }
                    guard let phrases = phrasesByFirstWord[tt.token.text] else { continue }
                    for phrase in phrases {
                        guard let last = Self.matchesRest(phrase[1...], in: tokens, from: i + 1) else { continue }
                        let endIndex = endOfMatch(tokens[last], want: phrase[phrase.count - 1], in: text)
                        return String(text[tt.range.lowerBound..<endIndex])
                    }
                }
            }
            return nil
        }

        /// Where a match ends inside its last token: the whole token, or the prefix a CJK entry token covers.
        func endOfMatch(_ last: TextToken, want: Token, in text: String) -> String.Index {
            guard want.isCJK else { return last.range.upperBound }
            return text.index(last.range.lowerBound, offsetBy: want.text.count)
        }
    }

    /// Whether `character` belongs to a script written without spaces between words (CJK ideographs, kana, hangul).
    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        if PromptTranslation.isIdeograph(scalar) { return true }
        switch scalar.value {
        case 0x3040...0x30FF,  // Hiragana, Katakana
            0x31F0...0x31FF,  // Katakana phonetic extensions
            0xAC00...0xD7AF,  // Hangul syllables
            0x3005, 0x3007:  // 々 〇
            return true
        default:
            return false
        }
    }

    /// Splits `text` into words (maximal runs of letters/digits) and CJK runs, lowercased.
    static func tokenize(_ text: String) -> [TextToken] {
        var tokens: [TextToken] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if isCJK(c) {
                var j = text.index(after: i)
                var chars: [Character] = [c]
                while j < text.endIndex, isCJK(text[j]) {
                    chars.append(text[j])
                    j = text.index(after: j)
                }
                tokens.append(TextToken(token: Token(text: String(chars), isCJK: true), range: i..<j, characters: chars))
                i = j
            } else if c.isLetter || c.isNumber {
                var j = text.index(after: i)
                while j < text.endIndex, text[j].isLetter || text[j].isNumber, !isCJK(text[j]) { j = text.index(after: j) }
                tokens.append(TextToken(token: Token(text: text[i..<j].lowercased(), isCJK: false), range: i..<j, characters: []))
                i = j
            } else {
                i = text.index(after: i)
            }
        }
        return tokens
    }

    /// Entries of a word-list file: one a line, `#` comments and blank lines ignored.
    static func parseList(_ contents: String) -> [String] {
        contents.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            var l = Substring(line)
            if let hash = l.firstIndex(of: "#") { l = l[..<hash] }
            let trimmed = l.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    /// The file's modification time and size, or nil when it cannot be read.
    static func signature(of path: String) -> FileSignature? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let date = attributes[.modificationDate] as? Date
        let size = (attributes[.size] as? NSNumber)?.int64Value
        return FileSignature(modified: date, size: size)
    }

    /// What identifies one version of the word-list file.
    struct FileSignature: Equatable, Sendable {
        var modified: Date?
        var size: Int64?
    }

    /// The file's entries, or nil when it cannot be read.
    static func readList(_ path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return parseList(String(decoding: data, as: UTF8.self))
    }

    private let words: [String]
    private let file: String?
    private let reloadInterval: Duration
    private let logger: Logger
    private var index: Index
    private var fileSignature: FileSignature?
    private var lastCheck: ContinuousClock.Instant
    private var warnedUnreadable = false

    /// Creates the list from `words` and, when given, the word-list `file` (read now, and again whenever it changes).
    public init(words: [String], file: String?, reloadInterval: Duration = .seconds(1), logger: Logger) {
        self.words = words
        self.file = file
        self.reloadInterval = reloadInterval
        self.logger = logger
        var entries = words
        var signature: FileSignature?
        var warned = false
        if let file {
            if let sig = BannedWords.signature(of: file), let list = BannedWords.readList(file) {
                entries += list
                signature = sig
            } else {
                logger.warning("banned-word file unreadable; using the configured words only", metadata: ["file": "\(file)"])
                warned = true
            }
        }
        index = Index(entries: entries)
        fileSignature = signature
        warnedUnreadable = warned
        lastCheck = ContinuousClock.now
    }

    /// Number of distinct entries (config and file).
    public var count: Int {
        reloadIfChanged()
        return index.count
    }

    /// The first banned word or phrase in `text`, as spelled there; nil when there is none.
    public func firstMatch(in text: String) -> String? {
        reloadIfChanged()
        return index.firstMatch(in: text)
    }

    /// Re-reads the file when its modification time (or size) changed, at most once per `reloadInterval`.
    private func reloadIfChanged() {
        guard let file else { return }
        let now = ContinuousClock.now
        guard now - lastCheck >= reloadInterval else { return }
        lastCheck = now
        guard let signature = Self.signature(of: file) else {
            warnOnce(file)
            return
        }
        guard signature != fileSignature else { return }
        guard let list = Self.readList(file) else {
            warnOnce(file)
            return
        }
        index = Index(entries: words + list)
        fileSignature = signature
        warnedUnreadable = false
        logger.info("banned-word file reloaded", metadata: ["file": "\(file)", "entries": "\(index.count)"])
    }

    private func warnOnce(_ file: String) {
        guard !warnedUnreadable else { return }
        warnedUnreadable = true
        logger.warning("banned-word file unreadable; keeping the last list", metadata: ["file": "\(file)"])
    }
}
