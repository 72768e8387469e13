import DiscordKit
import Foundation
import Testing

/// `Message.writeJSON` writes what `JSONEncoder` wrote: the same members in the same order, the same nulls,
/// for a message with every kind of field and for every message read from its variants (fields removed,
/// nulled or retyped at any depth), and for hostile text.
@Suite struct MessageWriteTests {
    static func viaEncoder(_ value: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try JSONValue.parse(try encoder.encode(value))
    }

    static func viaWriter(_ value: some JSONWritable) throws -> JSONValue {
        var out = ""
        value.writeJSON(to: &out)
        return try JSONValue.parse(out)
    }

    @Test func aRichMessageIsWrittenAsTheEncoderWritesIt() throws {
        let message = try MessageJSONTests.rich()
        #expect(try Self.viaWriter(message) == Self.viaEncoder(message))
        // And DiscordJSON takes the writer for it.
        #expect(try JSONValue.parse(try DiscordJSON.encode(message)) == Self.viaEncoder(message))
        #expect(try JSONValue.parse(try DiscordJSON.encodeString(message)) == Self.viaEncoder(message))
    }

    @Test func everyReadableVariantIsWrittenAsTheEncoderWritesIt() throws {
        let json = try Self.viaEncoder(try MessageJSONTests.rich())
        var compared = 0
        for variant in MessageJSONTests.variants(of: json) {
            guard let message = MessageJSONTests.viaParse(variant) else { continue }
            #expect(try Self.viaWriter(message) == Self.viaEncoder(message), "\(variant.compactString)")
            compared += 1
        }
        #expect(compared > 200)
    }

    @Test(arguments: [
        "quote \" backslash \\ slash / tab \t newline \n cr \r", "\u{0}\u{1}\u{1F}\u{7F}", "猫 🐈‍⬛ e\u{301}", "", "</script><!--",
    ])
    func hostileTextIsWrittenAsTheEncoderWritesIt(text: String) throws {
        var message = try MessageJSONTests.rich()
        message.content = text
        message.embeds[0].description = text
        message.components[0].components?[0].label = text
        message.interaction_metadata?.authorizing_integration_owners = [text: text, "1": "2"]
        let written = try Self.viaWriter(message)
        #expect(written["content"]?.stringValue == text)
        // Order-free comparison for the dictionary (the encoder writes it in hash order).
        #expect(Self.sorted(written) == Self.sorted(try Self.viaEncoder(message)))
    }

    @Test func aDeleteIsWrittenAsTheEncoderWritesIt() throws {
        for delete in [MessageDelete(id: "1", channel_id: "2", guild_id: "3"), MessageDelete(id: "1", channel_id: "2", guild_id: nil)] {
            #expect(try Self.viaWriter(delete) == Self.viaEncoder(delete))
        }
    }

    /// Objects with their members in key order, at every depth.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let pairs): return .object(pairs.map { ($0.0, sorted($0.1)) }.sorted { $0.0 < $1.0 })
        case .array(let items): return .array(items.map(sorted))
        default: return value
        }
    }
}
