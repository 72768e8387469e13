/// Which accounts may take a submission, and the contract's refusal when none may (§2.3):
/// 1. available — ready (enabled, connected, not paused), serves the bot, inside its work window,
///    under its daily limit; none → no account (code 3);
/// 2. passes `accountFilter` (instanceId/channelId, remark, remix); none → V12;
/// 3. allows a requested speed mode, tried in order of preference; none → V13 naming the first;
/// 4. has room; none → every eligible queue is full (code 23).
public enum Eligibility {
    /// What is asked for.
    public struct Request: Sendable {
        public var botType: BotType
        public var filter: AccountFilter?
        /// Acceptable speed modes, preferred first; empty = any (the account's current mode).
        public var modes: [SpeedMode]
        /// Channel the job must run in (actions: the parent's); nil = any.
        public var channelId: String?

        /// Creates a request.
        public init(botType: BotType, filter: AccountFilter? = nil, modes: [SpeedMode] = [], channelId: String? = nil) {
            self.botType = botType
            self.filter = filter
            self.modes = modes
            self.channelId = channelId
        }
    }

    /// The bot an account must serve for `bot` (InsightFaceSwap runs on any Midjourney account).
    static func servedBot(_ bot: BotType) -> BotType { bot == .insightFace ? .midJourney : bot }

    /// Step 1: ready, serves the bot, inside the work window, under the daily limit at `millis`.
    public static func isAvailable(_ c: AccountCandidate, bot: BotType, at millis: Int64) -> Bool {
        guard c.ready, c.config.enabled, c.config.botTypes.contains(servedBot(bot)) else { return false }
        if let text = c.config.workWindow, !text.isEmpty, let window = try? WorkWindow(text), !window.contains(millis: millis) { return false }
        if let limit = c.config.dailyLimit, limit >= 0, c.jobsToday >= limit { return false }
        return true
    }

    /// Step 3: whether the account may run a job requested in `mode`. A fixed mode replaces the
    /// request (it must itself be allowed); fast and turbo need fast time.
    public static func allows(_ c: AccountCandidate, mode: SpeedMode) -> Bool {
        let effective = c.config.fixedMode ?? mode
        if !c.config.allowedModes.isEmpty, !c.config.allowedModes.contains(effective) { return false }
        if c.fastExhausted, effective != .relax { return false }
        return true
    }

    /// The candidates that may take the request (all with room) and the mode chosen for it.
    public static func eligible(_ candidates: [AccountCandidate], for request: Request, at millis: Int64) -> Result<
        (candidates: [AccountCandidate], mode: SpeedMode?), AccountChoiceError
    > {
        let available = candidates.filter { isAvailable($0, bot: request.botType, at: millis) }
        guard !available.isEmpty else { return .failure(.noAccount) }
        var admitted = available.filter { request.filter?.admits($0.config, remixOn: $0.remixOn) ?? true }
        if let channel = request.channelId { admitted = admitted.filter { $0.config.channels.contains(channel) } }
        guard !admitted.isEmpty else { return .failure(.filterMismatch) }
        var chosen = admitted
        var mode: SpeedMode?
        if let first = request.modes.first {
            guard let found = request.modes.first(where: { m in admitted.contains { allows($0, mode: m) } }) else {
                return .failure(.modeUnsupported(first))
            }
            mode = found
            chosen = admitted.filter { allows($0, mode: found) }
        }
        let withRoom = chosen.filter(\.hasRoom)
        guard !withRoom.isEmpty else { return .failure(.queueFull) }
        return .success((withRoom, mode))
    }
}
