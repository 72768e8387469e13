import DiscordKit
import Foundation

/// The parts of a Midjourney job line `**prompt** - <label> <@user> (NN%) (mode)`.
public struct MJContent: Sendable, Equatable {
    /// The prompt between the bold markers (as the bot echoes it).
    public var prompt: String
    /// Action words between ` - ` and the mention: "", "Image #2", "Variations (Strong) by", "Zoom Out by", …
    public var label: String
    public var userId: String?
    /// `(NN%)` when present.
    public var percent: Int?
    /// `(Waiting to start)` or a start form ("Making variations for image #N with prompt …").
    public var waiting: Bool
    /// `(Stopped)`.
    public var stopped: Bool
    public var mode: SpeedMode?
    /// N of "Image #N" / "image #N".
    public var imageIndex: Int?
    /// Which start form introduced the line, when it had one ("Making variations for image #N with prompt …").
    public var startForm: MJStartForm? = nil
}

/// The wording in front of a start line's prompt; it tells which kind of job started.
public enum MJStartForm: String, Sendable, Equatable {
    /// `Making variations for image #N with prompt **p** - …` (V1–V4, Vary Subtle/Strong).
    case variations
    /// `Upscaling image #N with **p** - …` (the v4 upscale flow).
    case upscaling
    /// `Rerolling **p** - …`.
    case rerolling
    /// `Creating video with prompt **p** - …`.
    case video
}

/// What a bot message means for a task.
public enum MJEvent: Sendable, Equatable {
    case started(MJContent)
    case progress(MJContent, previewURL: String?)
    /// A result: the image, its job hash and buttons are on the message.
    case finished(MJContent)
    /// An error embed (`title`, `description`): the task fails.
    case error(title: String, description: String)
    /// A notice embed that is not a failure (Job queued, /info, …).
    case notice(title: String, description: String)
    /// A plain-text failure ("Failed …", "There was an error processing your request …").
    case failedText(String)
    /// A deferred interaction answer ("thinking…", flags 128) that will be edited later.
    case deferred
    /// A `/describe` result: the embed text with the four prompts and the described image.
    case describeResult(text: String, imageURL: String?)
    /// A `/shorten` result: the analysis text.
    case shortenResult(text: String)
    case ignored
}

/// Pure functions over Midjourney's message grammar (reference B.2–B.6).
public enum MJMessageParser {
    /// Embed titles that are not failures.
    static let noticeTitles = ["job queued", "your info", "remix mode", "done!", "settings"]
    /// Embed titles that always fail the task.
    static let errorTitles = [
        "queue full", "banned prompt", "banned image prompt", "action needed to continue", "action required to continue",
        "pending mod message", "invalid parameter", "invalid prompt", "invalid link", "empty prompt", "invalid request",
        "job action restricted", "request cancelled due to output filters", "request cancelled due to image filters",
        "duplicate images detected", "credits exhausted", "blocked", "plan cancelled", "subscription required",
        "subscription paused", "please complete the task", "sorry! could not complete the job!", "tos not accepted",
    ]

    /// Classifies a bot message.
    public static func classify(_ message: Message) -> MJEvent {
        let content = message.content
        if let embed = message.embeds.first(where: { $0.type == nil || $0.type == "rich" }), embed.title == nil,
            let text = embed.description
        {
            if text.contains("## Shortened prompts") || (embed.footer?.text.contains("Click on a button to imagine") ?? false)
                || message.interaction_metadata?.name == "shorten"
            {
                return .shortenResult(text: text)
            }
            if message.interaction_metadata?.name == "describe" || text.hasPrefix("1️⃣") {
                return .describeResult(text: text, imageURL: embed.image?.url)
            }
        }
        if (message.flags ?? 0) & 128 != 0 && content.isEmpty && message.embeds.isEmpty { return .deferred }
        if let embed = message.embeds.first(where: { $0.type == nil || $0.type == "rich" }), content.isEmpty || embed.title != nil {
            let title = embed.title ?? ""
            let description = embed.description ?? ""
            let lower = title.lowercased()
            if noticeTitles.contains(where: { lower.hasPrefix($0) }) { return .notice(title: title, description: description) }
            if errorTitles.contains(where: { lower.hasPrefix($0) }) || embed.color == 16_711_680 || lower.contains("invalid")
                || lower.contains("error") || lower.contains("denied")
            {
                return .error(title: title, description: description)
            }
            if content.isEmpty { return .notice(title: title, description: description) }
        }
        if content.hasPrefix("Failed") || content.hasPrefix("There was an error processing") {
            return .failedText(content)
        }
        guard let parsed = parseContent(content) else { return .ignored }
        if parsed.stopped { return .failedText("Job stopped") }
        if parsed.waiting { return .started(parsed) }
        if parsed.percent != nil { return .progress(parsed, previewURL: message.attachments.first?.url) }
        if !message.attachments.isEmpty { return .finished(parsed) }
        return .ignored
    }

    /// Parses a job line; nil when the content is not one.
    public static func parseContent(_ content: String) -> MJContent? {
        var text = content
        var startForm = false
        var startIndex: Int?
        var form: MJStartForm?
        // Start forms: "Making variations for image #N with prompt **p** - …", "Upscaling image #N with **p** - …",
        // "Rerolling **p** - …", and the video form "Creating video with prompt **p** - …".
        // (Regex literals are built at every evaluation: they run only when the line can match.)
        if text.first != "*", let m = text.firstMatch(of: /^(?:Making variations for image #(\d+) with prompt |Upscaling image #(\d+) with |Rerolling |Creating video with prompt )/) {
            startForm = true
            startIndex = m.output.1.flatMap { Int($0) } ?? m.output.2.flatMap { Int($0) }
            let head = text[m.range]
            form =
                head.hasPrefix("Making variations") ? .variations : head.hasPrefix("Upscaling") ? .upscaling
                : head.hasPrefix("Rerolling") ? .rerolling : .video
            text = String(text[m.range.upperBound...])
        }
        // The separator must come after the opening "**" ("*** - x" or "** - x" has no prompt: not a job line).
        let promptStart = text.index(text.startIndex, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
        guard text.hasPrefix("**"), let sep = text.range(of: "** - ", options: .backwards), sep.lowerBound >= promptStart
        else { return nil }
        let prompt = String(text[promptStart..<sep.lowerBound])
        let tail = String(text[sep.upperBound...])
        var label = ""
        var userId: String?
        var rest = tail
        if let mention = Self.mention(in: tail) {
            label = String(tail[..<mention.range.lowerBound]).trimmingCharacters(in: .whitespaces)
            userId = mention.id
            rest = String(tail[mention.range.upperBound...])
        }
        var result = MJContent(
            prompt: prompt, label: label, userId: userId, percent: nil, waiting: startForm, stopped: false, mode: nil, imageIndex: startIndex,
            startForm: form)
        for group in Self.parenthesised(rest) {
            let inner = group.trimmingCharacters(in: .whitespaces)
            let lower = inner.lowercased()
            if inner.hasSuffix("%"), (2...4).contains(inner.count), inner.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }),
                let p = Int(inner.dropLast())
            {
                result.percent = p
            } else if lower == "waiting to start" {
                result.waiting = true
            } else if lower == "stopped" {
                result.stopped = true
            } else if let mode = SpeedMode(botSuffix: lower) {
                result.mode = mode
            }
        }
        if label.contains("mage #"), let m = label.firstMatch(of: /[Ii]mage #(\d+)/) { result.imageIndex = Int(m.output.1) }
        return result
    }

    /// The first `<@id>` / `<@!id>` mention: its range and the id.
    static func mention(in text: String) -> (range: Range<String.Index>, id: String)? {
        var search = text.startIndex
        while let open = text.range(of: "<@", range: search..<text.endIndex) {
            var i = open.upperBound
            if i < text.endIndex, text[i] == "!" { i = text.index(after: i) }
            let digitsStart = i
            while i < text.endIndex, text[i].isASCII, text[i].isNumber { i = text.index(after: i) }
            if i > digitsStart, i < text.endIndex, text[i] == ">" {
                return (open.lowerBound..<text.index(after: i), String(text[digitsStart..<i]))
            }
            search = open.upperBound
        }
        return nil
    }

    /// The contents of each `( … )` group without nested parentheses, in order.
    static func parenthesised(_ text: String) -> [Substring] {
        var groups: [Substring] = []
        var open: String.Index?
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "(" {
                open = text.index(after: i)
            } else if text[i] == ")", let start = open {
                groups.append(text[start..<i])
                open = nil
            }
            i = text.index(after: i)
        }
        return groups
    }

    /// The Midjourney job hash of an attachment URL (rules of reference B.4).
    public static func jobHash(fromURL url: String) -> String? {
        let path = String(url.split(separator: "?", maxSplits: 1).first ?? "")
        let name = String(path.split(separator: "/").last ?? "")
        for suffix in ["_grid_0.webp", "_grid_0.png", "_0_0.png", "_0.mp4"] where name.hasSuffix(suffix) {
            let hash = String(name.dropLast(suffix.count))
            if !hash.isEmpty { return hash }
        }
        if name == "0_0.png" {
            let parts = path.split(separator: "/")
            if parts.count >= 2 { return String(parts[parts.count - 2]) }
        }
        if let uuid = firstUUID(in: url) { return uuid.lowercased() }
        if let underscore = name.lastIndex(of: "_") {
            let after = name[name.index(after: underscore)...]
            let hash = after.split(separator: ".").first.map(String.init) ?? ""
            return hash.isEmpty ? nil : hash
        }
        return nil
    }

    /// The first UUID (8-4-4-4-12 hex digits) in `text`, scanned by hand (a `Regex` here cost more
    /// than the rest of a message's handling). `lowercaseOnly` refuses upper-case hex digits.
    static func firstUUID(in text: String, lowercaseOnly: Bool = false) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 36 else { return nil }
        func isHex(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (!lowercaseOnly && b >= 0x41 && b <= 0x46)
        }
        var start = 0
        outer: while start + 36 <= bytes.count {
            for offset in 0..<36 {
                let b = bytes[start + offset]
                let ok = (offset == 8 || offset == 13 || offset == 18 || offset == 23) ? b == 0x2D : isHex(b)
                if !ok {
                    // A byte that fits no UUID position cannot be inside one: resume after it.
                    start += (isHex(b) || b == 0x2D) ? 1 : offset + 1
                    continue outer
                }
            }
            return String(decoding: bytes[start..<(start + 36)], as: UTF8.self)
        }
        return nil
    }

    /// The job hash of a result message: from the attachment, else from the button custom_ids.
    public static func jobHash(of message: Message) -> String? {
        if let url = message.attachments.first?.url, let hash = jobHash(fromURL: url) { return hash }
        for button in message.buttons {
            if let id = button.custom_id, let uuid = firstUUID(in: id, lowercaseOnly: true) { return uuid }
        }
        return nil
    }

    /// Prompt normalised for matching: links and URLs removed, whitespace collapsed, lowercased.
    public static func normalize(_ prompt: String) -> String {
        prompt.replacingOccurrences(of: #"<?https?://[^\s>]+>?"#, with: " ", options: .regularExpression)
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }
}

