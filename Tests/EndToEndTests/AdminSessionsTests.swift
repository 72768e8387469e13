import AdminUI
import DiscordKit
import Testing

/// The admin UI's session store: random ids, expiry after the lifetime without use, the cap.
@Suite struct AdminSessionsTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let now = Locked(ContinuousClock.now)
        func advance(_ d: Duration) { now.withLock { $0 = $0 + d } }
    }

    @Test func sessionsExpireWhenUnusedAndSlideWhenUsed() async throws {
        let clock = ManualClock()
        let sessions = AdminSessions(lifetime: .seconds(60), now: { clock.now.value })
        let id = await sessions.create(authenticated: true)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        let other = await sessions.create(authenticated: true)
        #expect(other != id)
        let csrf = try #require(await sessions.session(id)?.csrf)
        #expect(csrf.count == 64 && csrf != id)
        clock.advance(.seconds(50))
        #expect(await sessions.session(id)?.authenticated == true)  // used: expiry moves on
        clock.advance(.seconds(50))
        #expect(await sessions.session(id) != nil)
        #expect(await sessions.session(other) == nil)  // unused for 100 s
        clock.advance(.seconds(61))
        #expect(await sessions.session(id) == nil)
    }

    @Test func aFloodOfAnonymousSessionsNeverEvictsOperators() async throws {
        let sessions = AdminSessions(maxSessions: 8)
        let operatorSession = await sessions.create(authenticated: true)
        for _ in 0..<50 { _ = await sessions.create(authenticated: false) }
        #expect(await sessions.session(operatorSession)?.authenticated == true)
    }
}
