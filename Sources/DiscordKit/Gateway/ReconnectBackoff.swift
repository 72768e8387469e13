/// The gateway's reconnect delay: exponential (`minimum` doubling up to `maximum`) with full jitter
/// (a uniform draw in `0...ceiling`). It returns to the minimum only after a session that proved
/// stable — up for `stableAfter` or with at least one acknowledged heartbeat — so a server that
/// closes right after READY meets a growing delay instead of a reconnect storm.
public struct ReconnectBackoff: Sendable, Equatable {
    public var minimum: Duration
    public var maximum: Duration
    /// How long a session must stay up (without an ACK) to count as stable.
    public var stableAfter: Duration
    /// Consecutive connections that ended without being stable.
    public private(set) var attempt = 0

    /// Creates a back-off (1 s doubling to 60 s; stable after 60 s by default).
    public init(minimum: Duration = .seconds(1), maximum: Duration = .seconds(60), stableAfter: Duration = .seconds(60)) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.stableAfter = stableAfter
    }

    /// Upper bound of the delay after `attempt` unstable connections: `minimum · 2^attempt`, capped.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        var value = minimum
        for _ in 0..<max(0, min(attempt, 64)) where value < maximum { value = value * 2 }
        return min(value, maximum)
    }

    /// Records how a connection ended. `uptime` is the time since READY/RESUMED (nil: never established).
    public mutating func connectionEnded(uptime: Duration?, acknowledgedHeartbeats: Int) {
        if let uptime, uptime >= stableAfter || acknowledgedHeartbeats > 0 {
            attempt = 0
        } else {
            attempt = min(attempt + 1, 64)
        }
    }

    /// The delay before the next connection: uniform in `0...ceiling` for the current attempt count.
    public func delay(using generator: inout some RandomNumberGenerator) -> Duration {
        Self.fullJitter(ceiling(forAttempt: attempt), using: &generator)
    }

    /// A uniform draw in `0...ceiling` (millisecond resolution).
    public static func fullJitter(_ ceiling: Duration, using generator: inout some RandomNumberGenerator) -> Duration {
        let ms = max(0, milliseconds(ceiling))
        return .milliseconds(Int64.random(in: 0...ms, using: &generator))
    }

    /// The pause after op 9 (invalid session): uniform in 1–5 s, as Discord asks.
    public static func invalidSessionDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        .milliseconds(Int64.random(in: 1000...5000, using: &generator))
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        let (seconds, attos) = d.components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int64.max / 2 : ms + attos / 1_000_000_000_000_000
    }
}
