/// The two time operations the gateway and the rate limiter need (sleep, elapsed time), taken from
/// any `Clock<Duration>` so tests can run heartbeats, back-off, zombie detection and 429 waits on
/// their own clock.
struct ClockTimer: Sendable {
    /// Sleeps for a duration on the clock (throws when cancelled).
    let sleep: @Sendable (Duration) async throws -> Void
    /// Time on the clock since the timer was made (monotonic).
    let elapsed: @Sendable () -> Duration

    /// A timer over `clock`.
    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        sleep = { try await clock.sleep(for: $0) }
        elapsed = { origin.duration(to: clock.now) }
    }
}
