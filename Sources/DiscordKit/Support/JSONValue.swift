// DiscordKit: the Discord wire protocol for user accounts — models, the zlib-stream gateway
// client and the REST client. It knows nothing about Midjourney tasks; ProxyCore builds on it
// and the Sandbox serves the same models from the other side.

import Foundation

/// A JSON value whose objects keep their key order, so writers control the exact bytes.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value under `key` of an object (exact match first, then case-insensitive).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        if let hit = pairs.first(where: { $0.0 == key }) { return hit.1 }
        let lower = key.lowercased()
        return pairs.first(where: { $0.0.lowercased() == lower })?.1
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload for integers and doubles without a fraction.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.isFinite && d.rounded() == d: return Int64(exactly: d)
        default: return nil
        }
    }

    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Parses JSON bytes (any top-level value) with `JSONParser`.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONParser.parse(Array(data))
    }

    /// Parses JSON bytes (any top-level value) with `JSONParser`.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONParser.parse(bytes)
    }

    /// Parses a JSON string.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    /// Compact serialisation: no whitespace, keys in stored order, `/` and non-ASCII unescaped.
    public var compactString: String {
        var out = ""
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    /// Appends the compact serialisation to `out`.
    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite {
                if d.rounded() == d && abs(d) < 1e15, let i = Int64(exactly: d) { out += String(i) } else { out += "\(d)" }
            } else {
                out += "null"
            }
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    /// Writes a JSON string literal with the minimal escapes.
    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        // Runs without a character to escape are appended whole (most strings are one run).
        let utf8 = s.utf8
        var runStart = utf8.startIndex
        var i = runStart
        while i != utf8.endIndex {
            let byte = utf8[i]
            guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else {
                i = utf8.index(after: i)
                continue
            }
            // Escapes are ASCII: the run's bounds fall on character boundaries.
            if runStart != i { out += s[runStart..<i] }
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            default: out += "\\u00" + TextFormat.hex(UInt64(byte), width: 2)
            }
            i = utf8.index(after: i)
            runStart = i
        }
        if runStart != utf8.endIndex { out += s[runStart..<utf8.endIndex] }
        out += "\""
    }
}

extension JSONValue: Codable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// Decodes any JSON value; integers stay integers.
    public init(from decoder: any Decoder) throws {
        if var arrayContainer = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !arrayContainer.isAtEnd { items.append(try arrayContainer.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var pairs: [(String, JSONValue)] = []
            // The decoder does not keep the document's key order; sort so decoding is deterministic.
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                pairs.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
            }
            self = .object(pairs)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        self = .string(try c.decode(String.self))
    }

    /// Encodes the value with its object keys in stored order.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in pairs { try c.encode(v, forKey: AnyKey(stringValue: k)) }
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// `.string(s)` or `.null` when `s` is nil.
    public static func string(orNull s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    /// `.int(i)` or `.null` when `i` is nil.
    public static func int(orNull i: Int64?) -> JSONValue { i.map { .int($0) } ?? .null }
}

/// Shared JSON coders for Discord payloads (Discord uses snake_case keys, which our models spell as-is).
public enum DiscordJSON {
    /// Encodes a value to compact JSON bytes without escaping slashes.
    public static func encode(_ value: some Encodable) throws -> Data {
        if let writable = value as? any JSONWritable { return Data(write(writable).utf8) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Encodes a value to a compact JSON string.
    public static func encodeString(_ value: some Encodable) throws -> String {
        if let writable = value as? any JSONWritable { return write(writable) }
        return String(decoding: try encode(value), as: UTF8.self)
    }

    /// The JSON of a value that writes its own (messages: see Message+Write.swift).
    static func write(_ value: any JSONWritable) -> String {
        var out = ""
        out.reserveCapacity(1024)
        value.writeJSON(to: &out)
        return out
    }

    /// Decodes a value from JSON bytes.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    /// Re-decodes a parsed JSON tree as a typed model.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(type, from: Data(value.compactString.utf8))
    }
}
