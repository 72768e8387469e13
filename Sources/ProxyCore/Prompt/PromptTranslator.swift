import Foundation

/// Translates text to English.
public protocol PromptTranslator: Sendable {
    /// The English translation of `text`.
    func translate(_ text: String) async throws -> String
}

/// A translation service answered with an error or with something that is not a translation.
public struct TranslationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The service, e.g. `baidu` or `openai`.
    public var provider: String
    /// The service's error code (Baidu `error_code`, OpenAI `error.code`/`type`, or the HTTP status), when known.
    public var code: String?
    /// The service's error message, or what was wrong with its answer.
    public var message: String

    /// Creates an error.
    public init(provider: String, code: String? = nil, message: String) {
        self.provider = provider
        self.code = code
        self.message = message
    }

    /// `<provider> translation failed: <code> <message>`.
    public var description: String {
        "\(provider) translation failed: " + (code.map { "\($0) " } ?? "") + message
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}

/// Prompt-level translation rules (contract: only when the prompt contains Chinese; keep `--params`, `::weights` and image URLs untouched).
public enum PromptTranslation {
    /// Whether `scalar` is a CJK ideograph: unified ideographs (incl. extensions A–H), compatibility ideographs (incl. supplement).
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF,  // CJK Unified Ideographs
            0x3400...0x4DBF,  // Extension A
            0xF900...0xFAFF,  // Compatibility Ideographs
            0x20000...0x2A6DF,  // Extension B
            0x2A700...0x2EBEF,  // Extensions C–F (and I)
            0x2F800...0x2FA1F,  // Compatibility Ideographs Supplement
            0x30000...0x323AF:  // Extensions G–H
            return true
        default:
            return false
        }
    }

    /// Whether `text` contains a Chinese (CJK) ideograph.
    public static func containsChinese(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isIdeograph)
    }

    /// One piece of the prompt body.
    enum Piece {
        /// A word of free text, eligible for translation together with its neighbours.
        case text(String)
        /// Copied verbatim: an image URL or a `::weight` marker. `attached` when no whitespace preceded it.
        case keep(String, attached: Bool)
    }

    /// Whether `token` is an image URL (`http(s)://…`, optionally wrapped in `<…>`).
    static func isURL(_ token: Substring) -> Bool {
        var t = token
        if t.hasPrefix("<") && t.hasSuffix(">") && t.count >= 2 { t = t.dropFirst().dropLast() }
        let lower = t.lowercased()
        return (lower.hasPrefix("http://") && lower.count > 7) || (lower.hasPrefix("https://") && lower.count > 8)
    }

    /// Whether `token` starts the parameter tail: `--name` (or `—name`, the em dash that macOS substitutes).
    static func isParameter(_ token: Substring) -> Bool {
        let rest: Substring
        if token.hasPrefix("--") {
            rest = token.dropFirst(2)
        } else if token.hasPrefix("\u{2014}") {
            rest = token.dropFirst()
        } else {
            return false
        }
        guard let first = rest.first else { return false }
        return first.isASCII && first.isLetter
    }

    /// Splits a body token at its `::weight` markers (`猫::2` → `猫`, `::2`; `::` alone is a plain separator).
    static func splitWeights(_ token: Substring) -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        var i = token.startIndex
        func flushText() {
            if !text.isEmpty {
                pieces.append(.text(text))
                text = ""
            }
        }
        while i < token.endIndex {
            if token[i] == ":", token.index(after: i) < token.endIndex, token[token.index(after: i)] == ":" {
                var j = token.index(i, offsetBy: 2)
                if j < token.endIndex, token[j] == "-" {
                    let k = token.index(after: j)
                    if k < token.endIndex, token[k].isASCII, token[k].isNumber || token[k] == "." { j = k }
                }
                while j < token.endIndex, token[j].isASCII, token[j].isNumber || token[j] == "." { j = token.index(after: j) }
                let markerAttached = !text.isEmpty || !pieces.isEmpty
                flushText()
                // Text right after a marker starts a new segment (joined with a space on output).
                pieces.append(.keep(String(token[i..<j]), attached: markerAttached))
                i = j
            } else {
                text.append(token[i])
                i = token.index(after: i)
            }
        }
        flushText()
        return pieces
    }

    /// The whitespace-separated tokens of the prompt body and where the parameter tail (the first
    /// `--name` token) starts, if there is one.
    static func tokenize(_ prompt: String) -> (tokens: [Substring], tailStart: String.Index?) {
        var tokens: [Substring] = []
        var i = prompt.startIndex
        while i < prompt.endIndex {
            if prompt[i].isWhitespace {
                i = prompt.index(after: i)
                continue
            }
            var j = i
            while j < prompt.endIndex, !prompt[j].isWhitespace { j = prompt.index(after: j) }
            let token = prompt[i..<j]
            if isParameter(token) { return (tokens, i) }
            tokens.append(token)
            i = j
        }
        return (tokens, nil)
    }

    /// Splits the prompt into: leading image URLs (http/https, also <…> wrapped), the text body, and the parameter tail (from the first ` --name` token to the end). Translates only the text segments that contain Chinese; `::` weights (e.g. `cat::2 dog::-0.5`) keep their `::number` suffixes; parameter values (`--no 红色` is a parameter value: leave the tail untouched entirely), URLs anywhere untouched. Returns the reassembled prompt with single spaces where segments join.
    public static func translatePrompt(_ prompt: String, using translator: any PromptTranslator) async throws -> String {
        let (tokens, tailStart) = tokenize(prompt)
        var leading = 0
        while leading < tokens.count, isURL(tokens[leading]) { leading += 1 }
        let body = tokens[leading...]
        guard body.contains(where: { !isURL($0) && containsChinese(String($0)) }) else { return prompt }

        var pieces: [Piece] = []
        for token in body {
            if isURL(token) {
                pieces.append(.keep(String(token), attached: false))
            } else {
                pieces.append(contentsOf: splitWeights(token))
            }
        }

        var out: [String] = tokens[..<leading].map { String($0) }
        var segment: [String] = []
        func flushSegment() async throws {
            guard !segment.isEmpty else { return }
            let text = segment.joined(separator: " ")
            segment = []
            guard containsChinese(text) else {
                out.append(text)
                return
            }
            let translated = try await translator.translate(text)
            let normalized = translated.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            out.append(normalized.isEmpty ? text : normalized)
        }
        for piece in pieces {
            switch piece {
            case .text(let word):
                segment.append(word)
            case .keep(let kept, let attached):
                try await flushSegment()
                if attached, !out.isEmpty {
                    out[out.count - 1] += kept
                } else {
                    out.append(kept)
                }
            }
        }
        try await flushSegment()
        if let tailStart {
            let tail = prompt[tailStart...].trimmingCharacters(in: .whitespacesAndNewlines)
            out.append(tail)
        }
        return out.joined(separator: " ")
    }
}
