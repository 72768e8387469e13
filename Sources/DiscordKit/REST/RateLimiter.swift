import Foundation

/// Per-account request pacing: honours bucket headers when Discord sends them and the
/// `retry_after` of a 429 (per route, or for everything when global).
public actor RateLimiter {
    /// Deadlines as times on the limiter's clock (elapsed since it was made).
    private var blockedUntil: [String: Duration] = [:]
    private var globalUntil: Duration?
    private let timer: ClockTimer

    /// Creates an empty limiter on the continuous clock.
    public init() { timer = ClockTimer(ContinuousClock()) }

    /// Creates an empty limiter on `clock` (tests).
    public init<C: Clock>(clock: C) where C.Duration == Duration { timer = ClockTimer(clock) }

    /// Waits until a request on `route` may go out.
    public func waitTurn(route: String) async throws {
        while true {
            let now = timer.elapsed()
            var until = globalUntil
            if let r = blockedUntil[route], until.map({ r > $0 }) ?? true { until = r }
            guard let deadline = until, deadline > now else { return }
            try await timer.sleep(deadline - now)
        }
    }

    /// Longest wait a server can impose: values beyond it (or not finite) are clamped, never trusted blindly.
    public static let maxWaitSeconds = 600.0

    /// Milliseconds for a server-given number of seconds: NaN and negatives → 0, huge or infinite → the cap.
    public static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? Int(maxWaitSeconds * 1000) : 0 }
        return Int(min(seconds, maxWaitSeconds) * 1000)
    }

    /// Records the answer's rate-limit headers: a bucket with nothing remaining blocks its route until reset.
    public func record(route: String, remaining: Int?, resetAfter: Double?) {
        if let remaining, remaining <= 0, let resetAfter, resetAfter > 0 {
            blockedUntil[route] = timer.elapsed() + .milliseconds(Self.milliseconds(resetAfter))
        }
    }

    /// Records a 429: blocks the route (or everything when global) for `retryAfter` seconds plus jitter.
    public func recordLimited(route: String, retryAfter: Double, global: Bool) {
        let wait = timer.elapsed() + .milliseconds(Self.milliseconds(retryAfter * Double.random(in: 1.0...1.1)) + 10)
        if global { globalUntil = wait } else { blockedUntil[route] = wait }
    }
}
