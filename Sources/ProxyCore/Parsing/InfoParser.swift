import DiscordKit
import Foundation

/// What a bot's `/info` answer says about the account (reference B.3.12), parsed from the
/// `Your info - <name>` embed's `**Key**:   value` lines.
public struct AccountInfo: Sendable, Equatable {
    /// Every line's value by its label ("Subscription", "Job Mode", …), as the bot wrote it.
    public var values: [String: String] = [:]
    /// The subscription line, e.g. "Pro (Active yearly, renews next on <t:1715321361>)".
    public var subscription: String?
    /// The plan alone, e.g. "Pro", "None".
    public var plan: String?
    public var jobMode: SpeedMode?
    /// "Stealth" or "Public".
    public var visibility: String?
    /// "Fast Time Remaining" as written, e.g. "29.57/30.0 hours (98.58%)".
    public var fastTimeRemaining: String?
    /// The fast time left in hours (minutes converted), when it could be read.
    public var fastHoursRemaining: Double?
    public var lifetimeUsage: String?
    public var queuedFast: Int?
    public var queuedRelax: Int?
    /// Running jobs ("None" = 0).
    public var runningJobs: Int?

    /// Creates an empty info.
    public init() {}
}

/// Pure parser of the `/info` embed.
public enum InfoParser {
    /// The info of a bot message, when it is an `/info` answer (embed titled `Your info`).
    public static func parse(_ message: Message) -> AccountInfo? {
        guard let embed = message.embeds.first(where: { ($0.title ?? "").lowercased().hasPrefix("your info") }), let text = embed.description
        else { return nil }
        return parse(description: text)
    }

    /// Parses the embed description (`**Key**: value` lines; blank and unknown lines are kept raw or skipped).
    public static func parse(description: String) -> AccountInfo {
        var info = AccountInfo()
        for rawLine in description.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].replacingOccurrences(of: "*", with: "").trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            info.values[key] = value
        }
        info.subscription = info.values["Subscription"]
        if let s = info.subscription {
            let plan = s.split(separator: "(", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? s
            info.plan = plan.isEmpty ? nil : plan
        }
        if let mode = info.values["Job Mode"] { info.jobMode = SpeedMode(botSuffix: mode) }
        info.visibility = info.values["Visibility Mode"]
        info.fastTimeRemaining = info.values["Fast Time Remaining"]
        info.fastHoursRemaining = info.fastTimeRemaining.flatMap(hours(in:))
        info.lifetimeUsage = info.values["Lifetime Usage"]
        info.queuedFast = info.values["Queued Jobs (fast)"].flatMap { Int($0) }
        info.queuedRelax = info.values["Queued Jobs (relax)"].flatMap { Int($0) }
        info.runningJobs = info.values["Running Jobs"].map(count(jobs:))
        return info
    }

    /// Hours in "29.57/30.0 hours (98.58%)", "25.00 minutes" or "1.5 hours"; nil when unreadable.
    public static func hours(in text: String) -> Double? {
        guard let m = text.firstMatch(of: /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*\d+(?:\.\d+)?)?\s*(hours?|minutes?|mins?)?/) else { return nil }
        guard let value = Double(m.output.1), value.isFinite else { return nil }
        let unit = m.output.2.map { String($0).lowercased() } ?? "hours"
        return unit.hasPrefix("min") ? value / 60 : value
    }

    /// "None" = 0, a number as is, else the number of comma-separated entries.
    static func count(jobs text: String) -> Int {
        if text.lowercased().hasPrefix("none") || text.isEmpty { return 0 }
        if let n = Int(text) { return n }
        return text.split(separator: ",").count
    }
}
