import Foundation

// Discord's wire names are snake_case; the models spell them exactly so Codable needs no key
// mapping and nothing gets renamed by accident (the same choice DiscordBM makes).

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
