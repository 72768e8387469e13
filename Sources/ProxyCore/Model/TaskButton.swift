import DiscordKit

/// A button of a finished task (contract §8.6).
public struct TaskButton: Codable, Sendable, Equatable {
    public var customId: String
    public var emoji: String
    public var label: String
    public var type: Int
    public var style: Int

    /// Creates a button.
    public init(customId: String, emoji: String, label: String, type: Int = 2, style: Int = 2) {
        self.customId = customId
        self.emoji = emoji
        self.label = label
        self.type = type
        self.style = style
    }

    /// The buttons of a bot message in display order; link buttons (no custom_id) are omitted.
    public static func from(message: Message) -> [TaskButton] {
        message.buttons.compactMap { c in
            guard let id = c.custom_id else { return nil }
            return TaskButton(customId: id, emoji: c.emoji?.name ?? "", label: c.label ?? "", type: c.type, style: c.style ?? 2)
        }
    }

    /// The contract's JSON form.
    public var json: JSONValue {
        ["customId": .string(customId), "emoji": .string(emoji), "label": .string(label), "type": .int(Int64(type)), "style": .int(Int64(style))]
    }
}
