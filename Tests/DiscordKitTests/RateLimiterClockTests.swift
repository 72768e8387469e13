import DiscordKit
import Testing

/// The rate limiter on an injected clock: a 429's `retry_after` is waited out on that clock, per
/// route or for every route when global, without sleeping real seconds.
@Suite struct RateLimiterClockTests {
    @Test func aRouteLimitedFor30SecondsWaitsThemOnTheClockOnly() async throws {
        let clock = FastClock(factor: 100)
        let limiter = RateLimiter(clock: clock)
        await limiter.recordLimited(route: "POST interactions", retryAfter: 30, global: false)
        let start = clock.now
        try await limiter.waitTurn(route: "POST interactions")
        let waited = start.duration(to: clock.now)
        // retry_after × (1…1.1 jitter) + 10 ms, on the fast clock (scheduling may only add to it).
        #expect(waited >= .seconds(30), "\(waited)")
        // Another route was never blocked: it goes without waiting out the 30 s.
        let other = clock.now
        try await limiter.waitTurn(route: "GET messages")
        #expect(other.duration(to: clock.now) < .seconds(30))
    }

    @Test func aGlobalLimitBlocksEveryRoute() async throws {
        let clock = FastClock(factor: 100)
        let limiter = RateLimiter(clock: clock)
        await limiter.recordLimited(route: "x", retryAfter: 5, global: true)
        let start = clock.now
        try await limiter.waitTurn(route: "y")
        #expect(start.duration(to: clock.now) >= .seconds(5))
    }

    @Test func anEmptyBucketBlocksItsRouteUntilReset() async throws {
        let clock = FastClock(factor: 100)
        let limiter = RateLimiter(clock: clock)
        await limiter.record(route: "r", remaining: 0, resetAfter: 12)
        let start = clock.now
        try await limiter.waitTurn(route: "r")
        #expect(start.duration(to: clock.now) >= .seconds(12))
    }
}
