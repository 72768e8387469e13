/// A clock whose time runs `factor` times faster than real time: sleeping one of its seconds takes
/// 1/factor real seconds, and `now` advances accordingly, so durations measured on it agree with
/// the sleeps made on it. Lets gateway tests exercise 1–60 s delays in milliseconds.
struct FastClock: Clock {
    /// A point on the fast time line (offset from the clock's creation).
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let factor: Double
    private let origin = ContinuousClock.now

    /// A clock running `factor` times faster than real time.
    init(factor: Double) { self.factor = factor }

    var now: Instant { Instant(offset: (ContinuousClock.now - origin) * factor) }
    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero { try await Task.sleep(for: remaining / factor) }
    }
}
