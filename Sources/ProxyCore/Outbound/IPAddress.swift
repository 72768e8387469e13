import Foundation

/// An IPv4 or IPv6 address as raw network-order bytes (4 or 16), parsed and classified without any
/// system call, so the outbound policy's address rules are unit-testable without DNS.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]

    /// An address from raw bytes; nil unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a textual literal: dotted-quad IPv4 (`10.0.0.1`) or IPv6 (`::1`, `fe80::1%eth0`,
    /// `::ffff:127.0.0.1`, optionally in brackets). Shorthand IPv4 forms (`127.1`, hex, octal) are not
    /// literals here: they are names that the resolver turns into addresses, which are then classified.
    public init?(parsing text: String) {
        var s = Substring(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if let zone = s.firstIndex(of: "%") { s = s[..<zone] }
        if let v4 = Self.parseV4(s) {
            bytes = v4
        } else if let v6 = Self.parseV6(s) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// True for a 4-byte address.
    public var isV4: Bool { bytes.count == 4 }

    /// The embedded IPv4 address of IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
    /// NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`) IPv6 forms.
    public var embeddedV4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let b = bytes
        let tail = Array(b[12..<16])
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return IPAddress(bytes: tail) }
        if b[0..<12].allSatisfy({ $0 == 0 }), !(b[12..<15].allSatisfy { $0 == 0 } && b[15] <= 1) { return IPAddress(bytes: tail) }
        if b[0..<4] == [0x00, 0x64, 0xFF, 0x9B], b[4..<12].allSatisfy({ $0 == 0 }) { return IPAddress(bytes: tail) }
        if b[0] == 0x20, b[1] == 0x02 { return IPAddress(bytes: Array(b[2..<6])) }
        return nil
    }

    /// Dotted quad for IPv4; eight uncompressed hex groups for IPv6 (valid for connecting, not pretty).
    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    // MARK: parsing

    static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard part.count == 1 || part.first != "0" else { return nil }  // no octal-looking forms
            guard let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    static func parseV6(_ s: Substring) -> [UInt8]? {
        guard s.contains(":"), s.count <= 45 else { return nil }
        // A trailing dotted quad takes the last two groups.
        var text = s
        var v4Tail: [UInt8] = []
        if let lastColon = s.lastIndex(of: ":"), s[s.index(after: lastColon)...].contains(".") {
            guard let tail = parseV4(s[s.index(after: lastColon)...]) else { return nil }
            v4Tail = tail
            text = s[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let groupCount = 8 - v4Tail.count / 2
        var all: [UInt16]
        if halves.count == 2 {
            let missing = groupCount - head.count - tail.count
            guard missing >= 1 else { return nil }
            all = head + Array(repeating: 0, count: missing) + tail
        } else {
            guard head.count == groupCount else { return nil }
            all = head
        }
        var out: [UInt8] = []
        for g in all { out += [UInt8(g >> 8), UInt8(g & 0xFF)] }
        return out + v4Tail
    }
}
