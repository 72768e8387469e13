import DiscordKit
import Foundation
import Testing

/// `Message(json:)` reads what `JSONDecoder` read, and refuses what it refused: a message with every kind
/// of field, then each of its fields (at any depth) removed, nulled or given another JSON type.
@Suite struct MessageJSONTests {
    static let user = DiscordUser(id: "1", username: "u", discriminator: "0", global_name: "G", avatar: nil, bot: true, public_flags: 64)

    static func rich() throws -> Message {
        var referenced = Message(id: "9", channel_id: "2", guild_id: "3", author: user, content: "parent", timestamp: "2024-01-01T00:00:00+00:00")
        referenced.edited_timestamp = "2024-01-01T00:00:01+00:00"
        var select = Component(type: 3, custom_id: "MJ::select", placeholder: "pick")
        select.options = [SelectOption(label: "A", value: "a", description: "first", emoji: PartialEmoji(name: "x", id: "5", animated: false), default: true)]
        select.min_values = 1
        select.max_values = 2
        var input = Component(type: 4, custom_id: "MJ::input", value: "v", required: true)
        input.min_length = 1
        input.max_length = 4000
        // Embed.Field has no public initialiser: decoded as Discord sends it.
        let field = try JSONDecoder().decode(Embed.Field.self, from: Data(#"{"name":"n","value":"v","inline":true}"#.utf8))
        var message = Message(
            id: "10", channel_id: "2", guild_id: "3", author: user, content: "**a cat** - <@4> (fast)", timestamp: "2024-01-01T00:00:02+00:00",
            type: 19, flags: 64, nonce: "1234", webhook_id: nil, application_id: "936929561302675456", mentions: [user],
            attachments: [Attachment(id: "7", filename: "a.png", size: 10, url: "https://cdn/a.png", proxy_url: "https://media/a.png", width: 2, height: 2, content_type: "image/png", ephemeral: false)],
            embeds: [
                Embed(
                    type: "rich", title: "T", description: "D", url: "https://x", color: 16_711_680, footer: .init(text: "f", icon_url: "https://i"),
                    image: .init(url: "https://img", proxy_url: nil, width: 1, height: 1), thumbnail: .init(url: "https://th"),
                    fields: [field], content_scan_version: 0)
            ],
            components: [.row([.button(customId: "MJ::JOB::upsample::1::h", label: "U1"), .button(customId: nil, label: "web", style: 5, url: "https://w")]), .row([select]), .row([input])],
            interaction: MessageInteraction(id: "11", type: 2, name: "imagine", user: user),
            interaction_metadata: InteractionMetadata(
                id: "11", type: 2, name: "imagine", command_type: 1, user: user, authorizing_integration_owners: ["0": "3"],
                original_response_message_id: "12", interacted_message_id: "13"),
            message_reference: MessageReference(type: 0, message_id: "9", channel_id: "2", guild_id: "3"), referenced_message: referenced)
        message.mention_roles = ["r1"]
        message.tts = false
        return message
    }

    static func viaDecoder(_ value: JSONValue) -> Message? { try? JSONDecoder().decode(Message.self, from: Data(value.compactString.utf8)) }
    static func viaParse(_ value: JSONValue) -> Message? { try? Message(json: value) }

    @Test func aRichMessageReadsTheSameBothWays() throws {
        let json = try JSONValue.parse(Data(try JSONEncoder().encode(try Self.rich())))
        let decoded = try #require(Self.viaDecoder(json))
        #expect(Self.viaParse(json) == decoded)
        #expect(decoded == (try Self.rich()))
    }

    @Test func everyFieldRemovedNulledOrRetypedIsReadOrRefusedAlike() throws {
        let json = try JSONValue.parse(Data(try JSONEncoder().encode(try Self.rich())))
        var variants = 0
        var refused = 0
        for variant in Self.variants(of: json) {
            let expected = Self.viaDecoder(variant)
            #expect(Self.viaParse(variant) == expected, "\(variant.compactString)")
            variants += 1
            if expected == nil { refused += 1 }
        }
        // The mutations reach required fields (refusals) and optional ones (still read).
        #expect(variants > 300 && refused > 20 && refused < variants)
    }

    @Test func integerNoncesAreKeptAsDigits() throws {
        var json = try JSONValue.parse(Data(try JSONEncoder().encode(try Self.rich())))
        json = Self.replacing(json, key: "nonce", with: .int(987_654_321))
        #expect(try Message(json: json).nonce == "987654321")
        #expect(Self.viaDecoder(json)?.nonce == "987654321")
    }

    /// Every object field at any depth: removed, null, and replaced by a value of each other JSON type.
    static func variants(of value: JSONValue) -> [JSONValue] {
        guard case .object(let pairs) = value else {
            if case .array(let items) = value {
                return items.indices.flatMap { i in variants(of: items[i]).map { v in var copy = items; copy[i] = v; return JSONValue.array(copy) } }
            }
            return []
        }
        var out: [JSONValue] = []
        for (index, (key, field)) in pairs.enumerated() {
            var removed = pairs
            removed.remove(at: index)
            out.append(.object(removed))
            let others: [JSONValue] = [.null, .string("s"), .int(7), .bool(true), .array([]), .object([])]
            for other in others where !sameKind(other, field) {
                var changed = pairs
                changed[index] = (key, other)
                out.append(.object(changed))
            }
            for inner in variants(of: field) {
                var changed = pairs
                changed[index] = (key, inner)
                out.append(.object(changed))
            }
        }
        return out
    }

    static func sameKind(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null), (.string, .string), (.int, .int), (.bool, .bool), (.array, .array), (.object, .object): return true
        default: return false
        }
    }

    static func replacing(_ value: JSONValue, key: String, with new: JSONValue) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        return .object(pairs.map { $0.0 == key ? ($0.0, new) : $0 })
    }
}
