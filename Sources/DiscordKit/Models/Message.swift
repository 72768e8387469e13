import Foundation

// Discord's wire names are snake_case; the models spell them exactly so Codable needs no key
// mapping and nothing gets renamed by accident (the same choice DiscordBM makes).

/// A Discord user as embedded in messages and READY.
public struct DiscordUser: Codable, Sendable, Equatable {
    public var id: String
    public var username: String
    public var discriminator: String?
    public var global_name: String?
    public var avatar: String?
    public var bot: Bool?
    public var public_flags: Int?

    /// Creates a user.
    public init(
        id: String, username: String, discriminator: String? = "0", global_name: String? = nil, avatar: String? = nil,
        bot: Bool? = nil, public_flags: Int? = nil
    ) {
        self.id = id
        self.username = username
        self.discriminator = discriminator
        self.global_name = global_name
        self.avatar = avatar
        self.bot = bot
        self.public_flags = public_flags
    }

    enum CodingKeys: String, CodingKey { case id, username, discriminator, global_name, avatar, bot, public_flags }

    /// Encodes like Discord: `avatar`, `discriminator` and `global_name` present even when null
    /// (user libraries index them directly).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(username, forKey: .username)
        try c.encode(discriminator ?? "0", forKey: .discriminator)
        try c.encode(global_name, forKey: .global_name)
        try c.encode(avatar, forKey: .avatar)
        try c.encodeIfPresent(bot, forKey: .bot)
        try c.encodeIfPresent(public_flags, forKey: .public_flags)
    }
}

/// A file attached to a message.
public struct Attachment: Codable, Sendable, Equatable {
    public var id: String
    public var filename: String
    public var size: Int?
    public var url: String
    public var proxy_url: String?
    public var width: Int?
    public var height: Int?
    public var content_type: String?
    public var ephemeral: Bool?

    /// Creates an attachment.
    public init(
        id: String, filename: String, size: Int? = nil, url: String, proxy_url: String? = nil, width: Int? = nil,
        height: Int? = nil, content_type: String? = nil, ephemeral: Bool? = nil
    ) {
        self.id = id
        self.filename = filename
        self.size = size
        self.url = url
        self.proxy_url = proxy_url
        self.width = width
        self.height = height
        self.content_type = content_type
        self.ephemeral = ephemeral
    }
}

/// A rich embed (Midjourney uses them for errors, describe and shorten results, /info).
public struct Embed: Codable, Sendable, Equatable {
    /// Embed footer.
    public struct Footer: Codable, Sendable, Equatable {
        public var text: String
        public var icon_url: String?
        /// Creates a footer.
        public init(text: String, icon_url: String? = nil) {
            self.text = text
            self.icon_url = icon_url
        }
    }
    /// Embed image or thumbnail.
    public struct Image: Codable, Sendable, Equatable {
        public var url: String
        public var proxy_url: String?
        public var width: Int?
        public var height: Int?
        /// Creates an image reference.
        public init(url: String, proxy_url: String? = nil, width: Int? = nil, height: Int? = nil) {
            self.url = url
            self.proxy_url = proxy_url
            self.width = width
            self.height = height
        }
    }
    /// Embed field.
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var value: String
        public var inline: Bool?
    }

    public var type: String?
    public var title: String?
    public var description: String?
    public var url: String?
    public var color: Int?
    public var footer: Footer?
    public var image: Image?
    public var thumbnail: Image?
    public var fields: [Field]?
    public var content_scan_version: Int?

    /// Creates an embed.
    public init(
        type: String? = "rich", title: String? = nil, description: String? = nil, url: String? = nil, color: Int? = nil,
        footer: Footer? = nil, image: Image? = nil, thumbnail: Image? = nil, fields: [Field]? = nil,
        content_scan_version: Int? = 0
    ) {
        self.type = type
        self.title = title
        self.description = description
        self.url = url
        self.color = color
        self.footer = footer
        self.image = image
        self.thumbnail = thumbnail
        self.fields = fields
        self.content_scan_version = content_scan_version
    }
}

/// A partial emoji on a button.
public struct PartialEmoji: Codable, Sendable, Equatable {
    public var name: String?
    public var id: String?
    public var animated: Bool?
    /// Creates an emoji.
    public init(name: String?, id: String? = nil, animated: Bool? = nil) {
        self.name = name
        self.id = id
        self.animated = animated
    }
}

/// An option of a string select.
public struct SelectOption: Codable, Sendable, Equatable {
    public var label: String
    public var value: String
    public var description: String?
    public var emoji: PartialEmoji?
    public var `default`: Bool?

    /// Creates an option.
    public init(label: String, value: String, description: String?, emoji: PartialEmoji?, default: Bool?) {
        self.label = label
        self.value = value
        self.description = description
        self.emoji = emoji
        self.default = `default`
    }
}

/// A message component: action row (1), button (2), string select (3), text input (4), …
public struct Component: Codable, Sendable, Equatable {
    public var type: Int
    public var style: Int?
    public var label: String?
    public var emoji: PartialEmoji?
    public var custom_id: String?
    public var url: String?
    public var disabled: Bool?
    public var components: [Component]?
    public var options: [SelectOption]?
    public var placeholder: String?
    public var min_values: Int?
    public var max_values: Int?
    public var value: String?
    public var required: Bool?
    public var min_length: Int?
    public var max_length: Int?

    /// Creates a component.
    public init(
        type: Int, style: Int? = nil, label: String? = nil, emoji: PartialEmoji? = nil, custom_id: String? = nil,
        url: String? = nil, disabled: Bool? = nil, components: [Component]? = nil, options: [SelectOption]? = nil,
        placeholder: String? = nil, value: String? = nil, required: Bool? = nil
    ) {
        self.type = type
        self.style = style
        self.label = label
        self.emoji = emoji
        self.custom_id = custom_id
        self.url = url
        self.disabled = disabled
        self.components = components
        self.options = options
        self.placeholder = placeholder
        self.value = value
        self.required = required
    }

    /// An action row holding `children`.
    public static func row(_ children: [Component]) -> Component { Component(type: 1, components: children) }

    /// A button.
    public static func button(customId: String?, label: String? = nil, emoji: String? = nil, emojiId: String? = nil, style: Int = 2, url: String? = nil)
        -> Component
    {
        Component(
            type: 2, style: style, label: label, emoji: emoji.map { PartialEmoji(name: $0, id: emojiId) }, custom_id: customId,
            url: url)
    }
}

/// The reference of a reply.
public struct MessageReference: Codable, Sendable, Equatable {
    public var type: Int?
    public var message_id: String?
    public var channel_id: String?
    public var guild_id: String?
    /// Creates a reference.
    public init(type: Int? = 0, message_id: String?, channel_id: String?, guild_id: String?) {
        self.type = type
        self.message_id = message_id
        self.channel_id = channel_id
        self.guild_id = guild_id
    }
}

/// The deprecated `interaction` field of an interaction response message.
public struct MessageInteraction: Codable, Sendable, Equatable {
    public var id: String
    public var type: Int
    public var name: String
    public var user: DiscordUser?
    /// Creates the field.
    public init(id: String, type: Int, name: String, user: DiscordUser?) {
        self.id = id
        self.type = type
        self.name = name
        self.user = user
    }
}

/// `interaction_metadata` of an interaction response message.
public struct InteractionMetadata: Codable, Sendable, Equatable {
    public var id: String
    public var type: Int
    public var name: String?
    public var command_type: Int?
    public var user: DiscordUser?
    public var authorizing_integration_owners: [String: String]?
    public var original_response_message_id: String?
    public var interacted_message_id: String?
    /// Creates metadata.
    public init(
        id: String, type: Int, name: String?, command_type: Int?, user: DiscordUser?,
        authorizing_integration_owners: [String: String]?, original_response_message_id: String?, interacted_message_id: String?
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.command_type = command_type
        self.user = user
        self.authorizing_integration_owners = authorizing_integration_owners
        self.original_response_message_id = original_response_message_id
        self.interacted_message_id = interacted_message_id
    }
}

/// A Discord message (REST object and MESSAGE_CREATE / MESSAGE_UPDATE payload).
public struct Message: Codable, Sendable, Equatable {
    public var id: String
    public var channel_id: String
    public var guild_id: String?
    public var author: DiscordUser
    public var content: String
    public var timestamp: String?
    public var edited_timestamp: String?
    public var type: Int
    public var flags: Int?
    public var tts: Bool?
    public var pinned: Bool?
    public var mention_everyone: Bool?
    /// Echoed request nonce; Discord sends a string or an integer, kept here as a string.
    public var nonce: String?
    public var webhook_id: String?
    public var application_id: String?
    public var mentions: [DiscordUser]
    public var mention_roles: [String]?
    public var attachments: [Attachment]
    public var embeds: [Embed]
    public var components: [Component]
    public var interaction: MessageInteraction?
    public var interaction_metadata: InteractionMetadata?
    public var message_reference: MessageReference?
    public var referenced_message: ReferencedMessage?

    /// Creates a message.
    public init(
        id: String, channel_id: String, guild_id: String?, author: DiscordUser, content: String, timestamp: String?,
        type: Int = 0, flags: Int? = 0, nonce: String? = nil, webhook_id: String? = nil, application_id: String? = nil,
        mentions: [DiscordUser] = [], attachments: [Attachment] = [], embeds: [Embed] = [], components: [Component] = [],
        interaction: MessageInteraction? = nil, interaction_metadata: InteractionMetadata? = nil,
        message_reference: MessageReference? = nil, referenced_message: Message? = nil
    ) {
        self.id = id
        self.channel_id = channel_id
        self.guild_id = guild_id
        self.author = author
        self.content = content
        self.timestamp = timestamp
        self.edited_timestamp = nil
        self.type = type
        self.flags = flags
        self.tts = false
        self.pinned = false
        self.mention_everyone = false
        self.nonce = nonce
        self.webhook_id = webhook_id
        self.application_id = application_id
        self.mentions = mentions
        self.mention_roles = []
        self.attachments = attachments
        self.embeds = embeds
        self.components = components
        self.interaction = interaction
        self.interaction_metadata = interaction_metadata
        self.message_reference = message_reference
        self.referenced_message = referenced_message.map(ReferencedMessage.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, channel_id, guild_id, author, content, timestamp, edited_timestamp, type, flags, tts, pinned,
            mention_everyone, nonce, webhook_id, application_id, mentions, mention_roles, attachments, embeds,
            components, interaction, interaction_metadata, message_reference, referenced_message
    }

    /// Decodes a message; tolerant of absent arrays and integer nonces.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        channel_id = try c.decode(String.self, forKey: .channel_id)
        guild_id = try c.decodeIfPresent(String.self, forKey: .guild_id)
        author = try c.decode(DiscordUser.self, forKey: .author)
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
        edited_timestamp = try c.decodeIfPresent(String.self, forKey: .edited_timestamp)
        type = try c.decodeIfPresent(Int.self, forKey: .type) ?? 0
        flags = try c.decodeIfPresent(Int.self, forKey: .flags)
        tts = try c.decodeIfPresent(Bool.self, forKey: .tts)
        pinned = try c.decodeIfPresent(Bool.self, forKey: .pinned)
        mention_everyone = try c.decodeIfPresent(Bool.self, forKey: .mention_everyone)
        if let s = try? c.decodeIfPresent(String.self, forKey: .nonce) {
            nonce = s
        } else if let i = try? c.decodeIfPresent(Int64.self, forKey: .nonce) {
            nonce = String(i)
        } else {
            nonce = nil
        }
        webhook_id = try c.decodeIfPresent(String.self, forKey: .webhook_id)
        application_id = try c.decodeIfPresent(String.self, forKey: .application_id)
        mentions = try c.decodeIfPresent([DiscordUser].self, forKey: .mentions) ?? []
        mention_roles = try c.decodeIfPresent([String].self, forKey: .mention_roles)
        attachments = try c.decodeIfPresent([Attachment].self, forKey: .attachments) ?? []
        embeds = try c.decodeIfPresent([Embed].self, forKey: .embeds) ?? []
        components = try c.decodeIfPresent([Component].self, forKey: .components) ?? []
        interaction = try c.decodeIfPresent(MessageInteraction.self, forKey: .interaction)
        interaction_metadata = try c.decodeIfPresent(InteractionMetadata.self, forKey: .interaction_metadata)
        message_reference = try c.decodeIfPresent(MessageReference.self, forKey: .message_reference)
        referenced_message = try c.decodeIfPresent(ReferencedMessage.self, forKey: .referenced_message)
    }

    /// Encodes a message the way Discord does (explicit nulls for the nullable core fields).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(content, forKey: .content)
        try c.encode(channel_id, forKey: .channel_id)
        try c.encode(author, forKey: .author)
        try c.encode(attachments, forKey: .attachments)
        try c.encode(embeds, forKey: .embeds)
        try c.encode(mentions, forKey: .mentions)
        try c.encodeIfPresent(mention_roles, forKey: .mention_roles)
        try c.encodeIfPresent(pinned, forKey: .pinned)
        try c.encodeIfPresent(mention_everyone, forKey: .mention_everyone)
        try c.encodeIfPresent(tts, forKey: .tts)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(edited_timestamp, forKey: .edited_timestamp)
        try c.encode(flags ?? 0, forKey: .flags)
        try c.encode(components, forKey: .components)
        try c.encodeIfPresent(guild_id, forKey: .guild_id)
        try c.encodeIfPresent(nonce, forKey: .nonce)
        try c.encodeIfPresent(webhook_id, forKey: .webhook_id)
        try c.encodeIfPresent(application_id, forKey: .application_id)
        try c.encodeIfPresent(interaction, forKey: .interaction)
        try c.encodeIfPresent(interaction_metadata, forKey: .interaction_metadata)
        try c.encodeIfPresent(message_reference, forKey: .message_reference)
        if message_reference != nil { try c.encode(referenced_message, forKey: .referenced_message) }
    }
}

/// Box for the recursive `referenced_message` field.
public final class ReferencedMessage: Codable, Sendable, Equatable {
    public let message: Message
    /// Wraps a message.
    public init(_ message: Message) { self.message = message }
    /// Decodes the wrapped message.
    public init(from decoder: any Decoder) throws { message = try Message(from: decoder) }
    /// Encodes the wrapped message.
    public func encode(to encoder: any Encoder) throws { try message.encode(to: encoder) }
    public static func == (lhs: ReferencedMessage, rhs: ReferencedMessage) -> Bool { lhs.message == rhs.message }
}

/// MESSAGE_DELETE payload.
public struct MessageDelete: Codable, Sendable, Equatable {
    public var id: String
    public var channel_id: String
    public var guild_id: String?
    /// Creates a delete notice.
    public init(id: String, channel_id: String, guild_id: String?) {
        self.id = id
        self.channel_id = channel_id
        self.guild_id = guild_id
    }
}

extension Message {
    /// Every button (type 2) of the message in display order.
    public var buttons: [Component] {
        components.flatMap { row in row.type == 1 ? (row.components ?? []) : [row] }.filter { $0.type == 2 }
    }
}
