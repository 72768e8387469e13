// Discord messages read from an already parsed `JSONValue` (JSONParser) instead of `JSONDecoder`:
// gateway frames are parsed once, and MESSAGE_CREATE / MESSAGE_UPDATE — most of the traffic — are read
// from that parse. Same fields, defaults and refusals as the `Decodable` initialisers: a required field
// missing or null, or any field of the wrong JSON type, refuses the message. One difference: an integer
// field given as a number with a zero fraction (`2.0`) is read as that integer.

/// Why a JSON value could not be read as a Discord object.
public struct JSONReadFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The fields of one JSON object, read with `JSONDecoder`'s checks.
struct JSONFields {
    private let pairs: [(String, JSONValue)]

    /// The object `value`, or a failure naming `type`.
    init(_ value: JSONValue, _ type: String) throws(JSONReadFailure) {
        guard case .object(let pairs) = value else { throw JSONReadFailure(description: "\(type): not an object") }
        self.pairs = pairs
    }

    /// The value under `key`; nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        for (k, v) in pairs where k == key {
            // (Not `v.isNull ? nil : v`: JSONValue is nil-literal expressible, that `nil` would be `.null`.)
            if v.isNull { return nil }
            return v
        }
        return nil
    }

    private func failure(_ key: String, _ expected: String) -> JSONReadFailure {
        JSONReadFailure(description: "\(key): expected \(expected)")
    }

    func string(_ key: String) throws(JSONReadFailure) -> String {
        guard let s = try optionalString(key) else { throw failure(key, "a string") }
        return s
    }

    func optionalString(_ key: String) throws(JSONReadFailure) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw failure(key, "a string") }
        return s
    }

    func int(_ key: String) throws(JSONReadFailure) -> Int {
        guard let i = try optionalInt(key) else { throw failure(key, "an integer") }
        return i
    }

    func optionalInt(_ key: String) throws(JSONReadFailure) -> Int? {
        guard let v = value(key) else { return nil }
        guard let i = v.intValue.flatMap({ Int(exactly: $0) }) else { throw failure(key, "an integer") }
        return i
    }

    func optionalBool(_ key: String) throws(JSONReadFailure) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw failure(key, "a boolean") }
        return b
    }

    func object<T>(_ key: String, _ read: (JSONValue) throws(JSONReadFailure) -> T) throws(JSONReadFailure) -> T {
        guard let v = value(key) else { throw failure(key, "an object") }
        return try read(v)
    }

    func optionalObject<T>(_ key: String, _ read: (JSONValue) throws(JSONReadFailure) -> T) throws(JSONReadFailure) -> T? {
        guard let v = value(key) else { return nil }
        return try read(v)
    }

    func optionalArray<T>(_ key: String, _ read: (JSONValue) throws(JSONReadFailure) -> T) throws(JSONReadFailure) -> [T]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw failure(key, "an array") }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for item in items { out.append(try read(item)) }
        return out
    }

    func optionalStringMap(_ key: String) throws(JSONReadFailure) -> [String: String]? {
        guard let v = value(key) else { return nil }
        guard case .object(let entries) = v else { throw failure(key, "an object") }
        var out: [String: String] = [:]
        for (k, item) in entries {
            guard case .string(let s) = item else { throw failure(key, "string values") }
            out[k] = s
        }
        return out
    }
}

extension DiscordUser {
    /// Reads a user from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "user")
        self.init(
            id: try f.string("id"), username: try f.string("username"), discriminator: try f.optionalString("discriminator"),
            global_name: try f.optionalString("global_name"), avatar: try f.optionalString("avatar"), bot: try f.optionalBool("bot"),
            public_flags: try f.optionalInt("public_flags"))
    }
}

extension Attachment {
    /// Reads an attachment from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "attachment")
        self.init(
            id: try f.string("id"), filename: try f.string("filename"), size: try f.optionalInt("size"), url: try f.string("url"),
            proxy_url: try f.optionalString("proxy_url"), width: try f.optionalInt("width"), height: try f.optionalInt("height"),
            content_type: try f.optionalString("content_type"), ephemeral: try f.optionalBool("ephemeral"))
    }
}

extension Embed {
    /// Reads an embed from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "embed")
        self.init(
            type: try f.optionalString("type"), title: try f.optionalString("title"), description: try f.optionalString("description"),
            url: try f.optionalString("url"), color: try f.optionalInt("color"),
            footer: try f.optionalObject("footer") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "footer")
                return Footer(text: try g.string("text"), icon_url: try g.optionalString("icon_url"))
            },
            image: try f.optionalObject("image", Self.image), thumbnail: try f.optionalObject("thumbnail", Self.image),
            fields: try f.optionalArray("fields") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "field")
                return Field(name: try g.string("name"), value: try g.string("value"), inline: try g.optionalBool("inline"))
            },
            content_scan_version: try f.optionalInt("content_scan_version"))
    }

    private static func image(_ v: JSONValue) throws(JSONReadFailure) -> Image {
        let g = try JSONFields(v, "image")
        return Image(url: try g.string("url"), proxy_url: try g.optionalString("proxy_url"), width: try g.optionalInt("width"), height: try g.optionalInt("height"))
    }
}

extension PartialEmoji {
    /// Reads an emoji from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "emoji")
        self.init(name: try f.optionalString("name"), id: try f.optionalString("id"), animated: try f.optionalBool("animated"))
    }
}

extension Component {
    /// Reads a component (and its children) from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "component")
        self.init(
            type: try f.int("type"), style: try f.optionalInt("style"), label: try f.optionalString("label"),
            emoji: try f.optionalObject("emoji", PartialEmoji.init(json:)), custom_id: try f.optionalString("custom_id"),
            url: try f.optionalString("url"), disabled: try f.optionalBool("disabled"),
            components: try f.optionalArray("components", Component.init(json:)),
            options: try f.optionalArray("options") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "option")
                return SelectOption(
                    label: try g.string("label"), value: try g.string("value"), description: try g.optionalString("description"),
                    emoji: try g.optionalObject("emoji", PartialEmoji.init(json:)), default: try g.optionalBool("default"))
            },
            placeholder: try f.optionalString("placeholder"), value: try f.optionalString("value"), required: try f.optionalBool("required"))
        min_values = try f.optionalInt("min_values")
        max_values = try f.optionalInt("max_values")
        min_length = try f.optionalInt("min_length")
        max_length = try f.optionalInt("max_length")
    }
}

extension Message {
    /// Reads a message (MESSAGE_CREATE / MESSAGE_UPDATE `d`, or a REST message) from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "message")
        self.init(
            id: try f.string("id"), channel_id: try f.string("channel_id"), guild_id: try f.optionalString("guild_id"),
            author: try f.object("author", DiscordUser.init(json:)), content: try f.optionalString("content") ?? "",
            timestamp: try f.optionalString("timestamp"), type: try f.optionalInt("type") ?? 0, flags: try f.optionalInt("flags"),
            nonce: Self.nonce(f.value("nonce")), webhook_id: try f.optionalString("webhook_id"),
            application_id: try f.optionalString("application_id"),
            mentions: try f.optionalArray("mentions", DiscordUser.init(json:)) ?? [],
            attachments: try f.optionalArray("attachments", Attachment.init(json:)) ?? [],
            embeds: try f.optionalArray("embeds", Embed.init(json:)) ?? [],
            components: try f.optionalArray("components", Component.init(json:)) ?? [],
            interaction: try f.optionalObject("interaction") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "interaction")
                return MessageInteraction(
                    id: try g.string("id"), type: try g.int("type"), name: try g.string("name"),
                    user: try g.optionalObject("user", DiscordUser.init(json:)))
            },
            interaction_metadata: try f.optionalObject("interaction_metadata") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "interaction_metadata")
                return InteractionMetadata(
                    id: try g.string("id"), type: try g.int("type"), name: try g.optionalString("name"),
                    command_type: try g.optionalInt("command_type"), user: try g.optionalObject("user", DiscordUser.init(json:)),
                    authorizing_integration_owners: try g.optionalStringMap("authorizing_integration_owners"),
                    original_response_message_id: try g.optionalString("original_response_message_id"),
                    interacted_message_id: try g.optionalString("interacted_message_id"))
            },
            message_reference: try f.optionalObject("message_reference") { v throws(JSONReadFailure) in
                let g = try JSONFields(v, "message_reference")
                return MessageReference(
                    type: try g.optionalInt("type"), message_id: try g.optionalString("message_id"),
                    channel_id: try g.optionalString("channel_id"), guild_id: try g.optionalString("guild_id"))
            },
            referenced_message: try f.optionalObject("referenced_message", Message.init(json:)))
        // What the memberwise initialiser sets to its defaults, as the message says.
        edited_timestamp = try f.optionalString("edited_timestamp")
        tts = try f.optionalBool("tts")
        pinned = try f.optionalBool("pinned")
        mention_everyone = try f.optionalBool("mention_everyone")
        mention_roles = try f.optionalArray("mention_roles") { v throws(JSONReadFailure) in
            guard case .string(let s) = v else { throw JSONReadFailure(description: "mention_roles: expected strings") }
            return s
        }
    }

    /// The echoed nonce: a string, or an integer kept as its digits; anything else is no nonce.
    private static func nonce(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d) where d.isFinite && d.rounded() == d: return Int64(exactly: d).map { String($0) }
        default: return nil
        }
    }
}
