import DiscordKit
import Foundation

/// Builds Midjourney bot messages as the gateway delivers them (JSON of reference A.2.9 / B.3,
/// decoded with DiscordKit's `Message` decoder), for the matcher tests.
enum BotMessages {
    static let bot = "936929561302675456"
    static let guild = "1172000000000000001"
    static let channel = "1172000000000000002"
    static let user = "1172000000000000003"

    /// One message; `buttons` are custom_ids (style 2, or `pressed` at style 3).
    static func message(
        id: String, content: String = "", type: Int = 0, nonce: String? = nil, interactionId: String? = nil, interactionName: String = "imagine",
        attachment: String? = nil, ephemeralAttachment: Bool = false, buttons: [String] = [], pressed: String? = nil,
        reference: String? = nil, embed: (title: String, description: String)? = nil, mentioning: String = user, flags: Int = 0,
        in channelId: String = channel
    ) throws -> Message {
        var d: [String: Any] = [
            "id": id, "channel_id": channelId, "guild_id": guild, "type": type, "flags": flags, "content": content,
            "author": ["id": bot, "username": "Midjourney Bot", "discriminator": "9282", "bot": true, "public_flags": 589824],
            "timestamp": "2024-05-10T08:00:00.000000+00:00", "edited_timestamp": NSNull(),
            "mentions": [["id": mentioning, "username": "alice"]], "attachments": [], "embeds": [], "components": [],
        ]
        if let nonce {
            d["nonce"] = nonce
            d["webhook_id"] = bot
            d["application_id"] = bot
        }
        if let interactionId {
            let user: [String: Any] = ["id": user, "username": "alice"]
            d["interaction"] = ["id": interactionId, "type": 2, "name": interactionName, "user": user]
            d["interaction_metadata"] = ["id": interactionId, "type": 2, "name": interactionName, "command_type": 1, "user": user]
        }
        if let attachment {
            let base = ephemeralAttachment ? "https://cdn.discordapp.com/ephemeral-attachments/1/2/" : "https://cdn.discordapp.com/attachments/\(channel)/3/"
            d["attachments"] = [
                [
                    "id": "1172000000000000101", "filename": attachment, "size": 31544, "width": 512, "height": 512, "content_type": "image/png",
                    "url": base + attachment + "?ex=663f1a2b&is=663dc8ab&hm=9d4f&", "proxy_url": base + attachment,
                ]
            ]
        }
        if !buttons.isEmpty {
            d["components"] = [
                [
                    "type": 1,
                    "components": buttons.map { id -> [String: Any] in ["type": 2, "style": id == pressed ? 3 : 2, "custom_id": id] },
                ]
            ]
        }
        if let reference {
            d["message_reference"] = ["type": 0, "message_id": reference, "channel_id": channel, "guild_id": guild]
            d["referenced_message"] = NSNull()
        }
        if let embed {
            d["embeds"] = [["type": "rich", "title": embed.title, "description": embed.description, "color": 16_711_680, "content_scan_version": 0]]
        }
        return try JSONDecoder().decode(Message.self, from: try JSONSerialization.data(withJSONObject: d))
    }

    /// The U/V/🔄 rows of a grid with job hash `h`.
    static func gridButtons(_ h: String) -> [String] {
        (1...4).map { "MJ::JOB::upsample::\($0)::\(h)" } + ["MJ::JOB::reroll::0::\(h)::SOLO"] + (1...4).map { "MJ::JOB::variation::\($0)::\(h)" }
    }

    /// Some of an upscale's buttons with job hash `h`.
    static func upscaleButtons(_ h: String) -> [String] {
        ["MJ::JOB::upsample_v6_2x_subtle::1::\(h)::SOLO", "MJ::JOB::high_variation::1::\(h)::SOLO", "MJ::Outpaint::50::1::\(h)::SOLO"]
    }
}
