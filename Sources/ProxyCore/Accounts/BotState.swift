import DiscordKit
import Foundation

/// What the bots told an account about itself: mode, remix-free settings, `/info`, and the
/// account's health (last error, last connect, verification pause, fast time exhausted). Held by
/// `DiscordAccount`; shown through `AccountSnapshot`.
public struct BotState: Sendable {
    /// Speed mode per bot as last read from `/info` / `/settings` or confirmed by `/fast` etc.
    public var mode: [BotType: SpeedMode] = [:]
    /// Model version per bot from `/settings`.
    public var version: [BotType: String] = [:]
    /// The last `/info` per bot.
    public var info: [BotType: AccountInfo] = [:]
    /// When `/info` was last read (ms).
    public var lastInfoAt: Int64?
    /// The last `/settings` panel per bot (its buttons are pressed on it).
    public var settingsPanel: [BotType: SettingsPanel] = [:]
    public var lastError: String?
    /// When the gateway last became ready (ms).
    public var lastConnect: Int64?
    /// Set while the account waits for a human to solve a captcha.
    public var verification: VerificationPause?
    /// Fast time is used up (from `/info` or `Credits exhausted`).
    public var fastExhausted = false
    /// Bots switched to relax automatically because fast time ran out (switched back when it returns).
    public var autoRelaxed: Set<BotType> = []
    /// When fast time was last found exhausted (ms): the automatic switch runs at most once per hour.
    public var lastAutoRelax: Int64?
    /// Connections in a row that failed before READY.
    public var connectFailures = 0

    /// Creates an empty state.
    public init() {}

    /// The plan from the Midjourney bot's `/info` (else Niji's).
    public var subscribePlan: String? { info[.midJourney]?.plan ?? info[.nijiJourney]?.plan }
    /// Fast time remaining as the Midjourney bot wrote it (else Niji's).
    public var fastTimeRemaining: String? { info[.midJourney]?.fastTimeRemaining ?? info[.nijiJourney]?.fastTimeRemaining }
}

/// The `/settings` message of one bot: where its buttons are pressed.
public struct SettingsPanel: Sendable, Equatable {
    public var messageId: String
    public var channelId: String
    public var flags: Int
    public var components: [Component]
}

/// Why an account is paused for verification and what a solver needs.
public struct VerificationPause: Sendable, Equatable {
    /// The challenge page (iframe URL or captcha image), when known.
    public var challengeURL: String?
    public var message: String
    /// When the pause began (ms).
    public var since: Int64
}
