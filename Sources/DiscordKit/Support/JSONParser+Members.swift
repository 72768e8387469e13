/// Reading only some members of a large object (written here, as the parser itself).
///
/// A user account's READY carries every guild it is in, each with all its channels and members: in a
/// guild of 1,000 channels that is a megabyte per account, of which the client needs three fields.
/// Building the whole tree for each of 1,000 accounts took most of a proxy's start-up (profiled in the
/// 1,000-account scale test). Here a member's value is parsed, located (its byte range, to be parsed
/// later or given to a decoder) or skipped: checked for the JSON grammar without building anything.
extension JSONParser {
    /// What `members` does with the value of one member, by key.
    public enum Take: Sendable {
        /// Parsed into a `JSONValue`.
        case parse
        /// Its byte range kept (the value is checked as skipped ones are).
        case locate
        /// Checked and dropped.
        case skip
    }

    /// The members of the object in `bytes[range]` that `take` wants: parsed values and located ranges
    /// (the last of duplicate keys wins). Skipped values are checked for the grammar (brackets, strings,
    /// escapes, numbers, literals, no control characters in strings) but not for valid UTF-8, nor for
    /// numbers beyond range: nothing is built from them.
    public static func members(
        of bytes: [UInt8], in range: Range<Int>? = nil, _ take: (String) -> Take
    ) throws(Failure) -> (values: [String: JSONValue], ranges: [String: Range<Int>]) {
        var parser = JSONParser(bytes, range: range)
        var values: [String: JSONValue] = [:]
        var ranges: [String: Range<Int>] = [:]
        parser.skipSpace()
        guard parser.i < parser.end, parser.bytes[parser.i] == UInt8(ascii: "{") else { throw parser.fail("expected an object") }
        try parser.enter()
        parser.i += 1
        parser.skipSpace()
        if parser.i < parser.end, parser.bytes[parser.i] == UInt8(ascii: "}") {
            parser.i += 1
        } else {
            while true {
                parser.skipSpace()
                guard parser.i < parser.end, parser.bytes[parser.i] == UInt8(ascii: "\"") else { throw parser.fail("expected a key") }
                let key = try parser.string()
                parser.skipSpace()
                guard parser.i < parser.end, parser.bytes[parser.i] == UInt8(ascii: ":") else { throw parser.fail("expected ':'") }
                parser.i += 1
                parser.skipSpace()
                switch take(key) {
                case .parse:
                    values[key] = try parser.value()
                    ranges[key] = nil
                case .locate:
                    let start = parser.i
                    try parser.skipValue()
                    ranges[key] = start..<parser.i
                    values[key] = nil
                case .skip:
                    try parser.skipValue()
                }
                parser.skipSpace()
                guard parser.i < parser.end else { throw parser.fail("unexpected end") }
                if parser.bytes[parser.i] == UInt8(ascii: ",") {
                    parser.i += 1
                    continue
                }
                guard parser.bytes[parser.i] == UInt8(ascii: "}") else { throw parser.fail("expected ',' or '}'") }
                parser.i += 1
                break
            }
        }
        parser.depth -= 1
        parser.skipSpace()
        guard parser.i == parser.end else { throw parser.fail("trailing characters") }
        return (values, ranges)
    }

    /// Moves past one value without building it.
    mutating func skipValue() throws(Failure) {
        let (start, end, depth) = (i, self.end, self.depth)
        i = try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> Int in
            var skipper = JSONSkipper(bytes: buffer, i: start, end: end, depth: depth)
            try skipper.value()
            return skipper.i
        }
    }
}

/// Checks and moves past JSON values over raw bytes: no value is built, and no array is touched per
/// byte (what made skipping cost as much as parsing in a debug build).
struct JSONSkipper {
    let bytes: UnsafeBufferPointer<UInt8>
    var i: Int
    let end: Int
    var depth: Int

    func fail(_ reason: String) -> JSONParser.Failure { JSONParser.Failure(reason: reason, offset: i) }

    mutating func skipSpace() {
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    /// Moves past one value.
    mutating func value() throws(JSONParser.Failure) {
        guard i < end else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParser.Failure) {
        let count = word.utf8CodeUnitCount
        guard i + count <= end else { throw fail("unexpected end") }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += count
    }

    /// Moves past an object (`keyed`: members `"key": value`) or an array.
    private mutating func container(close: UInt8, keyed: Bool) throws(JSONParser.Failure) {
        depth += 1
        guard depth <= JSONParser.maxDepth else { throw fail("nested too deeply") }
        i += 1
        skipSpace()
        if i < end, bytes[i] == close {
            i += 1
            depth -= 1
            return
        }
        while true {
            skipSpace()
            if keyed {
                guard i < end, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                try string()
                skipSpace()
                guard i < end, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
            }
            try value()
            skipSpace()
            guard i < end else { throw fail("unexpected end") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == close else { throw fail(keyed ? "expected ',' or '}'" : "expected ',' or ']'") }
            i += 1
            depth -= 1
            return
        }
    }

    /// Moves past a string: escapes must be valid, control characters are refused.
    private mutating func string() throws(JSONParser.Failure) {
        i += 1  // opening quote
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return
            }
            guard b >= 0x20 else { throw fail("control character in string") }
            guard b == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            i += 1
            guard i < end else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                guard i + 4 <= end else { throw fail("unterminated escape") }
                for k in i..<(i + 4) {
                    switch bytes[k] {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): continue
                    default: throw fail("invalid \\u escape")
                    }
                }
                i += 4
            default: throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    /// Moves past a number (RFC 8259 grammar; `i` at its first byte); true when it has no fraction and no
    /// exponent. The parser reads numbers with it too.
    mutating func number() throws(JSONParser.Failure) -> Bool {
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, isDigit(bytes[i]) else { throw fail("invalid number") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < end, isDigit(bytes[i]) { i += 1 }
        }
        var integral = true
        if i < end, bytes[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            guard i < end, isDigit(bytes[i]) else { throw fail("invalid number") }
            while i < end, isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, isDigit(bytes[i]) else { throw fail("invalid number") }
            while i < end, isDigit(bytes[i]) { i += 1 }
        }
        return integral
    }
}
