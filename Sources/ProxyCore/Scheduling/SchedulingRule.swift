/// How the pool picks one account among the eligible ones with room (config `scheduling.rule`).
public enum SchedulingRule: String, Sendable, CaseIterable {
    /// Least (running + queued) relative to core size × weight; ties round-robin (the default).
    case bestWaitIdle = "best-wait-idle"
    /// Each eligible account in turn.
    case roundRobin = "round-robin"
    /// Uniformly at random.
    case random
    /// At random, in proportion to `weight`.
    case weighted
}
