/// Spaces the submits of one account by at least a minimum interval (`minSubmitInterval`). Each
/// submit reserves its moment — the later of now and the previous reservation plus the interval —
/// and waits until then, so concurrent submits queue up one interval apart in reservation order.
public struct SubmitPacer<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    private var last: Instant?

    /// A pacer with no submit yet.
    public init() {}

    /// Reserves the next submit moment and returns how long to wait from `now` (zero = go now).
    public mutating func reserve(now: Instant, interval: Duration) -> Duration {
        guard interval > .zero else {
            last = now
            return .zero
        }
        var at = now
        if let last, last.advanced(by: interval) > now { at = last.advanced(by: interval) }
        last = at
        return now.duration(to: at)
    }
}
