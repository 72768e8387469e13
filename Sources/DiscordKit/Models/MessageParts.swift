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
