import DiscordKit
import Foundation

/// A validated `POST /interactions` handed from the REST layer to the simulated bots.
struct BotInteraction: Sendable {
    var id: String
    var type: Int
    var applicationId: String
    var guildId: String?
    var channelId: String
    /// The session named in the body when it is live; modal events go only there.
    var sessionId: String?
    var nonce: String?
    var user: SandboxUser
    var commandName: String?
    /// Options of a slash command by name (sub-command options flattened).
    var options: [String: JSONValue]
    /// Uploaded files referenced by attachment options, by option name.
    var files: [String: StoredFile]
    var customId: String?
    var message: Message?
    var data: JSONValue
}

/// One job the Midjourney simulation remembers (to derive upscales and variations).
struct BotJob: Sendable {
    var hash: String
    var prompt: String
    var botId: String
    var userId: String
    var channelId: String
    var messageId: String
    /// The four tiles of a grid job, or the single image of an upscale.
    var tiles: [RGBImage]
    var isGrid: Bool
    var mode: String
}

/// The stock texts and button sets of the Midjourney bot (reference B.2–B.6).
enum MJText {
    static func modeSuffix(_ mode: String) -> String { "(\(mode))" }

    /// `**prompt** - <@user> (Waiting to start)` style content.
    static func content(prompt: String, userId: String, label: String = "", progress: String? = nil, mode: String?) -> String {
        var s = "**\(prompt)** - \(label)<@\(userId)>"
        if let progress { s += " \(progress)" }
        if let mode { s += " (\(mode))" }
        return s
    }

    /// The finished-grid button rows (U1–U4 + 🔄, V1–V4), all style 2.
    static func gridButtons(hash: String) -> [Component] {
        var row1 = (1...4).map { Component.button(customId: "MJ::JOB::upsample::\($0)::\(hash)", label: "U\($0)") }
        row1.append(.button(customId: "MJ::JOB::reroll::0::\(hash)::SOLO", emoji: "🔄"))
        let row2 = (1...4).map { Component.button(customId: "MJ::JOB::variation::\($0)::\(hash)", label: "V\($0)") }
        return [.row(row1), .row(row2)]
    }

    /// The v6 upscale button rows.
    static func upscaleButtons(hash: String, index: Int, square: Bool) -> [Component] {
        let upscaleEmoji = "upscale_1"
        let row1: [Component] = [
            .button(customId: "MJ::JOB::upsample_v6_2x_subtle::1::\(hash)::SOLO", label: "Upscale (Subtle)", emoji: upscaleEmoji, emojiId: "940147353879478324"),
            .button(customId: "MJ::JOB::upsample_v6_2x_creative::1::\(hash)::SOLO", label: "Upscale (Creative)", emoji: upscaleEmoji, emojiId: "940147353879478324"),
            .button(customId: "MJ::JOB::low_variation::1::\(hash)::SOLO", label: "Vary (Subtle)", emoji: "🪄"),
            .button(customId: "MJ::JOB::high_variation::1::\(hash)::SOLO", label: "Vary (Strong)", emoji: "🪄"),
            .button(customId: "MJ::Inpaint::1::\(hash)::SOLO", label: "Vary (Region)", emoji: "🖌️"),
        ]
        var row2: [Component] = [
            .button(customId: "MJ::Outpaint::50::1::\(hash)::SOLO", label: "Zoom Out 2x", emoji: "🔍"),
            .button(customId: "MJ::Outpaint::75::1::\(hash)::SOLO", label: "Zoom Out 1.5x", emoji: "🔍"),
            .button(customId: "MJ::CustomZoom::\(hash)", label: "Custom Zoom", emoji: "🔍"),
        ]
        if !square { row2.append(.button(customId: "MJ::Outpaint::100::1::\(hash)::SOLO", label: "Make Square", emoji: "↔️")) }
        let row3: [Component] = [
            .button(customId: "MJ::JOB::pan_left::1::\(hash)::SOLO", emoji: "⬅️"),
            .button(customId: "MJ::JOB::pan_right::1::\(hash)::SOLO", emoji: "➡️"),
            .button(customId: "MJ::JOB::pan_up::1::\(hash)::SOLO", emoji: "⬆️"),
            .button(customId: "MJ::JOB::pan_down::1::\(hash)::SOLO", emoji: "⬇️"),
        ]
        let row4: [Component] = [
            .button(customId: "MJ::BOOKMARK::\(hash)", emoji: "❤️"),
            .button(customId: nil, label: "Web", emoji: "🌐", style: 5, url: "https://www.midjourney.com/jobs/\(hash)?index=\(index - 1)"),
        ]
        return [.row(row1), .row(row2), .row(row3), .row(row4)]
    }

    /// An error/notice embed as the bot sends it.
    static func embed(title: String, description: String, color: Int = 16_711_680, footer: String?) -> Embed {
        Embed(type: "rich", title: title, description: description, color: color, footer: footer.map { Embed.Footer(text: $0) })
    }

    /// Parameters Midjourney accepts; anything else is an `Invalid parameter`.
    static let knownParameters: Set<String> = [
        "ar", "aspect", "v", "version", "niji", "s", "stylize", "c", "chaos", "q", "quality", "seed", "sameseed", "stop",
        "style", "tile", "no", "iw", "weird", "w", "cref", "cw", "sref", "sw", "relax", "fast", "turbo", "raw", "repeat", "r",
        "p", "personalize", "video", "motion", "draft", "exp", "oref", "ow", "hd", "test", "testp", "uplight", "upbeta",
        "creative", "zoom", "public", "stealth",
    ]

    /// Words the simulated AI moderator refuses (constructed list; real Midjourney's is not public).
    static let bannedWords: Set<String> = ["gore", "nsfw", "nude", "naked", "bloodbath"]
}
