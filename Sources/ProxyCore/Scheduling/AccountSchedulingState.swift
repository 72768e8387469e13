/// An account's own scheduling memory: jobs started today (daily limit), the pacing of its submits,
/// and which of its channels each running job went to (sub-channel spreading).
struct AccountSchedulingState: Sendable {
    var jobs = DailyCounter()
    var pacer = SubmitPacer<ContinuousClock.Instant>()
    /// Task id → channel its job was sent in (entries of tasks no longer running are ignored and pruned).
    var channelOf: [String: String] = [:]
    /// Task id → when it was counted for the daily limit (so a task that never starts is taken back).
    var counted: [String: Int64] = [:]
}
