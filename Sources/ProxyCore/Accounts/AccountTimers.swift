/// An account's share of the pool's one timer (`AccountPool` ticks every account; no account has a
/// timer task of its own, so 1,000 accounts cost one sleeping task, not 2,000).
struct AccountTimers: Sendable {
    /// The account runs (its `run` is active): ticks reach it.
    var ticking = false
    /// When `/info` is read next (epoch ms); nil until the first tick sets it.
    var nextInfoAt: Int64?
}
