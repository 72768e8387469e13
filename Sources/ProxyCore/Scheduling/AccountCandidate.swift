/// What scheduling knows about one account at the moment of a choice (from its published `AccountSchedulingView`).
public struct AccountCandidate: Sendable {
    public var config: AccountConfig
    /// Position in the pool (turn order).
    public var order: Int
    /// Enabled, connected, not paused for verification.
    public var ready: Bool
    /// Remix mode of the requested bot (from `/settings`).
    public var remixOn: Bool
    /// The account serves relax only because its fast time ran out: no fast or turbo jobs.
    public var fastExhausted: Bool
    /// Jobs started today (UTC) plus the ones waiting: what the daily limit is checked against.
    public var jobsToday: Int
    public var running: Int
    public var queued: Int
    /// Whether one more task fits (free slot or room in the queue).
    public var hasRoom: Bool

    /// Creates a candidate.
    public init(
        config: AccountConfig, order: Int, ready: Bool, remixOn: Bool = false, fastExhausted: Bool = false, jobsToday: Int = 0, running: Int = 0,
        queued: Int = 0, hasRoom: Bool = true
    ) {
        self.config = config
        self.order = order
        self.ready = ready
        self.remixOn = remixOn
        self.fastExhausted = fastExhausted
        self.jobsToday = jobsToday
        self.running = running
        self.queued = queued
        self.hasRoom = hasRoom
    }

    /// The selection view of this candidate.
    var load: AccountSelector.Load { .init(order: order, busy: running + queued, coreSize: config.coreSize, weight: config.weight) }
}
