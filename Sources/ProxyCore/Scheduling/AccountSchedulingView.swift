/// What choosing an account needs to know of it, published by the account whenever any of it changes
/// (`DiscordAccount.publishView`), so the pool reads every account at once without waiting on any of them:
/// asking each account in turn took one actor hop per account per submission, and under load those hops
/// made the submissions queue behind each other.
struct AccountSchedulingView: Sendable {
    /// Connected and not paused for verification.
    var available: Bool
    /// Remix mode per bot (from `/settings` or a remix modal).
    var remix: [BotType: Bool]
    /// Fast time ran out: only relax jobs.
    var fastExhausted: Bool
    /// Jobs started per UTC day.
    var jobs: DailyCounter
    var running: Int
    var queued: Int
    /// Whether one more task fits (a free slot, or room in the queue).
    var hasRoom: Bool

    /// The candidate this view makes for a choice of `bot` at `now`.
    func candidate(config: AccountConfig, order: Int, bot: BotType, now: Int64) -> AccountCandidate {
        AccountCandidate(
            config: config, order: order, ready: config.enabled && available, remixOn: remix[Eligibility.servedBot(bot)] ?? false,
            fastExhausted: fastExhausted, jobsToday: jobs.count(at: now) + queued, running: running, queued: queued, hasRoom: hasRoom)
    }
}
