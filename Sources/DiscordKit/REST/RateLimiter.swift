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

    /// Records the answer's rate-limit headers: a bucket with nothing remaining blocks its route until reset.
    public func record(route: String, remaining: Int?, resetAfter: Double?) {
        if let remaining, remaining <= 0, let resetAfter, resetAfter > 0 {
            blockedUntil[route] = clock.now + .milliseconds(Int(resetAfter * 1000))
        }
    }

    /// Records a 429: blocks the route (or everything when global) for `retryAfter` seconds plus jitter.
    public func recordLimited(route: String, retryAfter: Double, global: Bool) {
        let wait = clock.now + .milliseconds(Int(retryAfter * 1000 * Double.random(in: 1.0...1.1)) + 10)
        if global { globalUntil = wait } else { blockedUntil[route] = wait }
    }
}
