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
    /// Fulfilled once the 204 answering the POST has been written: no event of this interaction goes out before.
    var answered: OneShot<Bool>?
}

/// Work handed from the HTTP side to the bots (run as child tasks of the sandbox service).
enum BotWork: Sendable {
    case interaction(BotInteraction)
    case reaction(SandboxUser, Message, String)
    /// The inpaint activity's submit-job (token, mask base64, prompt).
    case inpaint(String, String, String)
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

    /// Constructed (reference unknown 4).
    static let creditsExhaustedDescription = "You have no more fast hours left. Switch to /relax or buy more time."

    /// Constructed from the reference's fragments (B.6).
    static let pendingModDescription =
        "You have been temporarily blocked from accessing Midjourney for 1 hour. Please press Acknowledge to confirm you have read this message."

    /// The model versions the settings version select offers.
    static let settingsVersions = ["7", "6.1", "6", "niji 6"]

    static let queueFullDescription = "Your job queue is full. Please wait for a job to finish first, then resubmit this one."

    static let appealDescription =
        "Sorry! Our AI moderators feel your prompt might be against our community standards.\n\n        If you think this is a mistake, please press the \"Appeal\" button below and we will send it to a more sophisticated AI to double-check the result."

    static let bannedDescription =
        "Sorry! Our AI moderator thinks this prompt is probably against our community standards.\n\nPlease review our current community standards:\n\n**ALLOWED**\n- Any image up to PG-13 rating involving fiction, fantasy, mythology.\n- Real images that may be seen as respectful or light-hearted parodies, satire, caricatures\n- Imaginary or exaggerated real-life scenarios, including absurd or humorous situations.\n\n**NOT ALLOWED**\n- Disrespectful, harmful, misleading public figures/events portrayals or potential to mislead.\n- Hate speech, explicit or real-world violence.\n- Nudity or unconsented overtly sexualized public figures.\n- Imagery that might be considered culturally insensitive\n\nThis AI system isn't perfect. If you find it rejecting something innocent please press the **Notify developers** button and we will review it and try to further improve our performance. Thank you for your help!"

    static let keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]

    /// Four describe prompts drawn deterministically from `seed` (constructed vocabulary).
    static func describePrompts(seed: UInt64) -> [String] {
        let subjects = ["a lighthouse on a cliff", "a quiet mountain lake", "a desert road at sunset", "a misty pine forest", "a harbour town", "an orange sky over dunes", "a snowy valley", "a lone tree on a hill"]
        let styles = ["in the style of [Albert Bierstadt](https://goo.gl/search?artist%20Albert%20Bierstadt)", "soft gradients, minimalist", "cinematic lighting, wide angle", "watercolor, muted palette", "digital painting, vivid colors", "matte painting, atmospheric perspective"]
        let extras = ["calm mood", "golden hour", "high contrast", "pastel tones", "dramatic clouds", "serene atmosphere"]
        return (0..<4).map { n in
            let s = seed &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15
            let a = subjects[Int(s % UInt64(subjects.count))]
            let b = styles[Int((s >> 8) % UInt64(styles.count))]
            let c = extras[Int((s >> 16) % UInt64(extras.count))]
            return "\(a), \(b), \(c) --ar 1:1"
        }
    }

    /// Words the simulated AI moderator refuses (constructed list; real Midjourney's is not public).
    static let bannedWords: Set<String> = ["gore", "nsfw", "nude", "naked", "bloodbath"]
}
