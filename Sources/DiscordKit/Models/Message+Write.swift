// Discord messages written as JSON text directly instead of through `JSONEncoder`: the sandbox sends every
// message it creates or edits to every session that sees it, and `JSONEncoder` (keyed containers, generic
// metadata lookups) was the largest single cost of a sandbox job. Same members, same order and same nulls as
// the `Encodable` conformances (custom ones for `DiscordUser` and `Message`, synthesized ones elsewhere: an
// absent optional is left out); held to them by a differential test. `DiscordJSON.encode` uses it for any
// `JSONWritable` value.

/// A value that writes its own compact JSON, equal to what its `Encodable` conformance produces.
public protocol JSONWritable {
    /// Appends the value's compact JSON to `out`.
    func writeJSON(to out: inout String)
}

/// The members of one JSON object being written: `{` on the first, `,` before the others.
/// Keys are the models' own field names (plain ASCII), written as they are.
struct JSONMembers {
    private var started = false

    private mutating func key(_ name: String, _ out: inout String) {
        out += started ? ",\"" : "{\""
        started = true
        out += name
        out += "\":"
    }

    /// Closes the object (`{}` when it has no member).
    func end(_ out: inout String) { out += started ? "}" : "{}" }

    mutating func string(_ name: String, _ value: String, _ out: inout String) {
        key(name, &out)
        JSONValue.writeString(value, to: &out)
    }

    mutating func null(_ name: String, _ out: inout String) {
        key(name, &out)
        out += "null"
    }

    /// The string, or `null` when absent (the member is always there).
    mutating func stringOrNull(_ name: String, _ value: String?, _ out: inout String) {
        key(name, &out)
        if let value { JSONValue.writeString(value, to: &out) } else { out += "null" }
    }

    mutating func string(_ name: String, ifPresent value: String?, _ out: inout String) {
        if let value { string(name, value, &out) }
    }

    mutating func int(_ name: String, _ value: Int, _ out: inout String) {
        key(name, &out)
        out += String(value)
    }

    mutating func int(_ name: String, ifPresent value: Int?, _ out: inout String) {
        if let value { int(name, value, &out) }
    }

    mutating func bool(_ name: String, ifPresent value: Bool?, _ out: inout String) {
        guard let value else { return }
        key(name, &out)
        out += value ? "true" : "false"
    }

    mutating func value(_ name: String, _ value: some JSONWritable, _ out: inout String) {
        key(name, &out)
        value.writeJSON(to: &out)
    }

    mutating func value(_ name: String, ifPresent value: (some JSONWritable)?, _ out: inout String) {
        if let value { self.value(name, value, &out) }
    }

    mutating func array(_ name: String, _ items: [some JSONWritable], _ out: inout String) {
        key(name, &out)
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            item.writeJSON(to: &out)
        }
        out += "]"
    }

    mutating func array(_ name: String, ifPresent items: [some JSONWritable]?, _ out: inout String) {
        if let items { array(name, items, &out) }
    }

    mutating func strings(_ name: String, ifPresent items: [String]?, _ out: inout String) {
        guard let items else { return }
        key(name, &out)
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            JSONValue.writeString(item, to: &out)
        }
        out += "]"
    }

    /// A string-to-string object (in key order: `JSONEncoder` writes a dictionary in no fixed order).
    mutating func stringMap(_ name: String, ifPresent map: [String: String]?, _ out: inout String) {
        guard let map else { return }
        key(name, &out)
        var inner = JSONMembers()
        for k in map.keys.sorted() {
            inner.escapedKey(k, &out)
            JSONValue.writeString(map[k] ?? "", to: &out)
        }
        inner.end(&out)
    }

    /// A key that may need escaping (a dictionary's).
    private mutating func escapedKey(_ name: String, _ out: inout String) {
        out += started ? "," : "{"
        started = true
        JSONValue.writeString(name, to: &out)
        out += ":"
    }
}

extension DiscordUser: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.string("username", username, &out)
        m.string("discriminator", discriminator ?? "0", &out)
        m.stringOrNull("global_name", global_name, &out)
        m.stringOrNull("avatar", avatar, &out)
        m.bool("bot", ifPresent: bot, &out)
        m.int("public_flags", ifPresent: public_flags, &out)
        m.end(&out)
    }
}

extension Attachment: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.string("filename", filename, &out)
        m.int("size", ifPresent: size, &out)
        m.string("url", url, &out)
        m.string("proxy_url", ifPresent: proxy_url, &out)
        m.int("width", ifPresent: width, &out)
        m.int("height", ifPresent: height, &out)
        m.string("content_type", ifPresent: content_type, &out)
        m.bool("ephemeral", ifPresent: ephemeral, &out)
        m.end(&out)
    }
}

extension Embed.Footer: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("text", text, &out)
        m.string("icon_url", ifPresent: icon_url, &out)
        m.end(&out)
    }
}

extension Embed.Image: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("url", url, &out)
        m.string("proxy_url", ifPresent: proxy_url, &out)
        m.int("width", ifPresent: width, &out)
        m.int("height", ifPresent: height, &out)
        m.end(&out)
    }
}

extension Embed.Field: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("name", name, &out)
        m.string("value", value, &out)
        m.bool("inline", ifPresent: inline, &out)
        m.end(&out)
    }
}

extension Embed: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("type", ifPresent: type, &out)
        m.string("title", ifPresent: title, &out)
        m.string("description", ifPresent: description, &out)
        m.string("url", ifPresent: url, &out)
        m.int("color", ifPresent: color, &out)
        m.value("footer", ifPresent: footer, &out)
        m.value("image", ifPresent: image, &out)
        m.value("thumbnail", ifPresent: thumbnail, &out)
        m.array("fields", ifPresent: fields, &out)
        m.int("content_scan_version", ifPresent: content_scan_version, &out)
        m.end(&out)
    }
}

extension PartialEmoji: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("name", ifPresent: name, &out)
        m.string("id", ifPresent: id, &out)
        m.bool("animated", ifPresent: animated, &out)
        m.end(&out)
    }
}

extension SelectOption: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("label", label, &out)
        m.string("value", value, &out)
        m.string("description", ifPresent: description, &out)
        m.value("emoji", ifPresent: emoji, &out)
        m.bool("default", ifPresent: `default`, &out)
        m.end(&out)
    }
}

extension Component: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.int("type", type, &out)
        m.int("style", ifPresent: style, &out)
        m.string("label", ifPresent: label, &out)
        m.value("emoji", ifPresent: emoji, &out)
        m.string("custom_id", ifPresent: custom_id, &out)
        m.string("url", ifPresent: url, &out)
        m.bool("disabled", ifPresent: disabled, &out)
        m.array("components", ifPresent: components, &out)
        m.array("options", ifPresent: options, &out)
        m.string("placeholder", ifPresent: placeholder, &out)
        m.int("min_values", ifPresent: min_values, &out)
        m.int("max_values", ifPresent: max_values, &out)
        m.string("value", ifPresent: value, &out)
        m.bool("required", ifPresent: required, &out)
        m.int("min_length", ifPresent: min_length, &out)
        m.int("max_length", ifPresent: max_length, &out)
        m.end(&out)
    }
}

extension MessageReference: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.int("type", ifPresent: type, &out)
        m.string("message_id", ifPresent: message_id, &out)
        m.string("channel_id", ifPresent: channel_id, &out)
        m.string("guild_id", ifPresent: guild_id, &out)
        m.end(&out)
    }
}

extension MessageInteraction: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.int("type", type, &out)
        m.string("name", name, &out)
        m.value("user", ifPresent: user, &out)
        m.end(&out)
    }
}

extension InteractionMetadata: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.int("type", type, &out)
        m.string("name", ifPresent: name, &out)
        m.int("command_type", ifPresent: command_type, &out)
        m.value("user", ifPresent: user, &out)
        m.stringMap("authorizing_integration_owners", ifPresent: authorizing_integration_owners, &out)
        m.string("original_response_message_id", ifPresent: original_response_message_id, &out)
        m.string("interacted_message_id", ifPresent: interacted_message_id, &out)
        m.end(&out)
    }
}

extension Message: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.int("type", type, &out)
        m.string("content", content, &out)
        m.string("channel_id", channel_id, &out)
        m.value("author", author, &out)
        m.array("attachments", attachments, &out)
        m.array("embeds", embeds, &out)
        m.array("mentions", mentions, &out)
        m.strings("mention_roles", ifPresent: mention_roles, &out)
        m.bool("pinned", ifPresent: pinned, &out)
        m.bool("mention_everyone", ifPresent: mention_everyone, &out)
        m.bool("tts", ifPresent: tts, &out)
        m.stringOrNull("timestamp", timestamp, &out)
        m.stringOrNull("edited_timestamp", edited_timestamp, &out)
        m.int("flags", flags ?? 0, &out)
        m.array("components", components, &out)
        m.string("guild_id", ifPresent: guild_id, &out)
        m.string("nonce", ifPresent: nonce, &out)
        m.string("webhook_id", ifPresent: webhook_id, &out)
        m.string("application_id", ifPresent: application_id, &out)
        m.value("interaction", ifPresent: interaction, &out)
        m.value("interaction_metadata", ifPresent: interaction_metadata, &out)
        m.value("message_reference", ifPresent: message_reference, &out)
        if message_reference != nil {
            if let referenced_message { m.value("referenced_message", referenced_message.message, &out) } else { m.null("referenced_message", &out) }
        }
        m.end(&out)
    }
}

extension MessageDelete: JSONWritable {
    public func writeJSON(to out: inout String) {
        var m = JSONMembers()
        m.string("id", id, &out)
        m.string("channel_id", channel_id, &out)
        m.string("guild_id", ifPresent: guild_id, &out)
        m.end(&out)
    }
}
