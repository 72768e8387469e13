import Foundation

/// Per-account request pacing: honours bucket headers when Discord sends them and the
/// `retry_after` of a 429 (per route, or for everything when global).
public actor RateLimiter {
    private var blockedUntil: [String: ContinuousClock.Instant] = [:]
    private var globalUntil: ContinuousClock.Instant?
    private let clock = ContinuousClock()

    /// Creates an empty limiter.
    public init() {}

    /// Waits until a request on `route` may go out.
    public func waitTurn(route: String) async throws {
        while true {
            let now = clock.now
            var until = globalUntil
            if let r = blockedUntil[route], until.map({ r > $0 }) ?? true { until = r }
            guard let deadline = until, deadline > now else { return }
            try await Task.sleep(until: deadline, clock: clock)
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
            blockedUntil[route] = clock.now + .milliseconds(Self.milliseconds(resetAfter))
        }
    }

    /// Records a 429: blocks the route (or everything when global) for `retryAfter` seconds plus jitter.
    public func recordLimited(route: String, retryAfter: Double, global: Bool) {
        let wait = clock.now + .milliseconds(Self.milliseconds(retryAfter * Double.random(in: 1.0...1.1)) + 10)
        if global { globalUntil = wait } else { blockedUntil[route] = wait }
    }
}
