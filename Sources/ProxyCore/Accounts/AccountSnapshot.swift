import DiscordKit

/// What an account is doing now, for the account API (contract §6 view) and operators: its
/// settings (with the token masked by the renderer), its state, and what the bots told it.
public struct AccountSnapshot: Sendable {
    /// Lifecycle state as operators see it (issue: connecting / ready / paused for verification / disabled).
    public enum State: String, Sendable {
        case connecting = "CONNECTING"
        case ready = "READY"
        case paused = "PAUSED_FOR_VERIFICATION"
        case disabled = "DISABLED"
    }

    public var config: AccountConfig
    /// Contract `status`.
    public var status: AccountStatus
    public var state: State
    public var disabledReason: String?
    /// Speed mode per bot as last read from `/info` / `/settings` or confirmed by `/fast` etc.
    public var mode: [BotType: SpeedMode] = [:]
    public var remix: [BotType: Bool] = [:]
    /// Model version per bot as read from `/settings` (e.g. "6.1", "niji 6").
    public var version: [BotType: String] = [:]
    public var subscribePlan: String?
    /// `/info`'s fast time remaining, as the bot wrote it (e.g. "12.34/15.0 hours (82.27%)").
    public var fastTimeRemaining: String?
    /// Raw `/info` values by label.
    public var info: [String: String] = [:]
    public var runningCount: Int
    public var queueCount: Int
    /// Jobs sent today (UTC).
    public var jobsToday: Int = 0
    public var lastError: String?
    /// When the gateway last became ready (ms).
    public var lastConnect: Int64?
    /// When the account was created (ms).
    public var dateCreated: Int64?
    /// Fast time is used up: the account runs relax jobs only (eligibility must refuse fast/turbo).
    public var fastExhausted = false
    /// Set while paused for verification (captcha): what a solver needs.
    public var verification: VerificationPause?

    /// Creates a snapshot with the required parts.
    public init(config: AccountConfig, status: AccountStatus, state: State, runningCount: Int, queueCount: Int) {
        self.config = config
        self.status = status
        self.state = state
        self.runningCount = runningCount
        self.queueCount = queueCount
    }
}

extension DiscordAccount {
    /// The account as the API shows it now.
    public func snapshot() -> AccountSnapshot {
        let state: AccountSnapshot.State =
            switch status {
            case .connected: .ready
            case .disabled: .disabled
            case .connecting, .disconnected: .connecting
            }
        var s = AccountSnapshot(config: config, status: status, state: state, runningCount: slots.running.count, queueCount: slots.queue.count)
        s.disabledReason = disabledReason
        s.remix = remix
        if status == .connected, bots.verification != nil { s.state = .paused }
        s.mode = bots.mode
        s.version = bots.version
        s.subscribePlan = bots.subscribePlan
        s.fastTimeRemaining = bots.fastTimeRemaining
        // Midjourney's values win over niji's for the same label.
        for bot in [BotType.nijiJourney, .midJourney] { s.info.merge(bots.info[bot]?.values ?? [:]) { _, new in new } }
        s.lastError = bots.lastError
        s.lastConnect = bots.lastConnect
        s.fastExhausted = bots.fastExhausted
        s.verification = bots.verification
        s.jobsToday = jobsToday
        return s
    }
}
