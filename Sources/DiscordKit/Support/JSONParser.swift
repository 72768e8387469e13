/// A JSON parser straight into `JSONValue` (RFC 8259), written here: request bodies and Discord
/// payloads are parsed on hot paths, and going through `JSONDecoder` + `Decodable` cost most of a
/// large `list-by-condition` request. It keeps what the `Decodable` route gave: object keys sorted
/// (the last of duplicate keys wins), integers that fit `Int64` as `.int`, other numbers as
/// `.double`, and it refuses what that refused: invalid UTF-8, control characters in strings,
/// unpaired surrogates, numbers that overflow to infinity, nesting deeper than `maxDepth`.
public struct JSONParser {
    /// Why a document was refused, and where.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Deepest nesting of arrays and objects accepted.
    public static let maxDepth = 512

    let bytes: [UInt8]
    var i: Int
    /// Where the document ends (`bytes.count`, or the end of the range parsed).
    let end: Int
    var depth = 0

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range?.clamped(to: 0..<bytes.count) ?? 0..<bytes.count
        i = range.lowerBound
        end = range.upperBound
    }

    /// Parses one JSON document (any top-level value, surrounded by optional whitespace).
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try parse(bytes, range: 0..<bytes.count)
    }

    /// Parses the JSON document in `bytes[range]` (a value `members` located).
    public static func parse(_ bytes: [UInt8], range: Range<Int>) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes, range: range)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.i == parser.end else { throw parser.fail("trailing characters") }
        return value
    }

    func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: i) }

    mutating func skipSpace() {
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func value() throws(Failure) -> JSONValue {
        guard i < end else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString, _ result: JSONValue) throws(Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard i + count <= end else { throw fail("unexpected end") }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += count
        return result
    }

    mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if i < end, bytes[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object([])
        }
        while true {
            skipSpace()
            guard i < end, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard i < end, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            members[key] = try value()
            skipSpace()
            guard i < end else { throw fail("unexpected end") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            i += 1
            depth -= 1
            return .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < end, bytes[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array([])
        }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < end else { throw fail("unexpected end") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            i += 1
            depth -= 1
            return .array(items)
        }
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = i
        let integral = try scanNumber()
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if integral, let int = Int64(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw fail("number out of range") }
        return .double(double)
    }

    /// Moves past a number; true when it has no fraction and no exponent (`JSONSkipper.number`).
    mutating func scanNumber() throws(Failure) -> Bool {
        let (start, end, depth) = (i, self.end, self.depth)
        let (integral, next) = try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> (Bool, Int) in
            var skipper = JSONSkipper(bytes: buffer, i: start, end: end, depth: depth)
            return (try skipper.number(), skipper.i)
        }
        i = next
        return integral
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    mutating func string() throws(Failure) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < end, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        guard i < end else { throw fail("unterminated string") }
        if bytes[i] == UInt8(ascii: "\"") {
            guard let s = String(validating: bytes[start..<i], as: UTF8.self) else { throw fail("invalid UTF-8") }
            i += 1
            return s
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < end else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
                return s
            }
            guard b >= 0x20 else { throw fail("control character in string") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < end else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("unpaired surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                out.append(contentsOf: u.utf8)
            default:
                throw fail("invalid escape")
            }
        }
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= end else { throw fail("unterminated escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}
