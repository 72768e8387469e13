import Foundation

/// One gateway frame read lazily: the header (`op`, `s`, `t`) parsed, the payload `d` only located.
/// What a dispatch needs of `d` is read by `GatewayEvent.decode`: whole for messages, three fields of
/// READY (whose guilds, with all their channels, can be a megabyte per account), nothing of the
/// events the client does not use.
public struct GatewayFrame: Sendable {
    /// The frame's bytes (inflated).
    public let bytes: [UInt8]
    /// Its header.
    public let header: GatewayHeader
    /// Where `d` is in `bytes` (nil when the frame has none).
    public let payload: Range<Int>?

    /// Reads the frame's header and locates its payload; throws on malformed JSON or a bad header.
    public init(_ bytes: [UInt8]) throws {
        let (values, ranges) = try JSONParser.members(of: bytes) { key in
            switch key {
            case "op", "s", "t": .parse
            case "d": .locate
            default: .skip
            }
        }
        self.bytes = bytes
        header = try GatewayHeader(.object(values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        payload = ranges["d"]
    }

    /// `d` parsed; nil when absent or null.
    public func parsedPayload() throws -> JSONValue? {
        guard let payload else { return nil }
        let value = try JSONParser.parse(bytes, range: payload)
        return value.isNull ? nil : value
    }

    /// The members of `d` named in `keys`, parsed (the rest skipped); nil when `d` is absent or null.
    public func payloadMembers(_ keys: Set<String>) throws -> JSONValue? {
        guard let payload, !isNull(payload) else { return nil }
        let (values, _) = try JSONParser.members(of: bytes, in: payload) { keys.contains($0) ? .parse : .skip }
        return .object(values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// `d` decoded as `T`; nil when absent or null.
    public func decodedPayload<T: Decodable>(_ type: T.Type) throws -> T? {
        guard let payload, !isNull(payload) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(bytes[payload]))
    }

    /// The bytes of `d` (empty when absent): what the channel prefilter looks at.
    public var payloadBytes: ArraySlice<UInt8> { payload.map { bytes[$0] } ?? [] }

    private func isNull(_ range: Range<Int>) -> Bool { bytes[range].elementsEqual("null".utf8) }
}
