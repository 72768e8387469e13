import DiscordKit
import Foundation
import Logging
import Sandbox
import Testing

/// The gateway loop: back-off (pure), no back-off reset after a close right after READY, the op 9
/// pause, and heartbeats that keep going while the event handler is slow (against the sandbox).
@Suite struct GatewayLoopTests {

    // MARK: pure back-off

    @Test func backoffGrowsAndIsCapped() {
        let backoff = ReconnectBackoff(minimum: .seconds(1), maximum: .seconds(60))
        let ceilings = (0..<10).map { backoff.ceiling(forAttempt: $0) }
        #expect(ceilings == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.ceiling(forAttempt: 10_000) == .seconds(60))
        #expect(backoff.ceiling(forAttempt: -3) == .seconds(1))
    }

    @Test func backoffIsFullyJittered() {
        var generator = SplitMix64(seed: 42)
        var backoff = ReconnectBackoff()
        for _ in 0..<7 { backoff.connectionEnded(uptime: .seconds(1), acknowledgedHeartbeats: 0) }
        #expect(backoff.attempt == 7)
        let delays = (0..<500).map { _ in backoff.delay(using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(60) })
        #expect(Set(delays).count > 400)  // spread, not a fixed value
        #expect(delays.contains { $0 < .seconds(15) } && delays.contains { $0 > .seconds(45) })
        let pauses = (0..<500).map { _ in ReconnectBackoff.invalidSessionDelay(using: &generator) }
        #expect(pauses.allSatisfy { $0 >= .seconds(1) && $0 <= .seconds(5) })
        #expect(pauses.contains { $0 < .seconds(2) } && pauses.contains { $0 > .seconds(4) })
    }

    @Test func backoffResetsOnlyAfterAStableSession() {
        var backoff = ReconnectBackoff(stableAfter: .seconds(60))
        backoff.connectionEnded(uptime: nil, acknowledgedHeartbeats: 0)  // never established
        backoff.connectionEnded(uptime: .milliseconds(50), acknowledgedHeartbeats: 0)  // closed right after READY
        backoff.connectionEnded(uptime: .seconds(59), acknowledgedHeartbeats: 0)
        #expect(backoff.attempt == 3)
        backoff.connectionEnded(uptime: .seconds(5), acknowledgedHeartbeats: 1)  // a full heartbeat cycle
        #expect(backoff.attempt == 0)
        backoff.connectionEnded(uptime: nil, acknowledgedHeartbeats: 0)
        backoff.connectionEnded(uptime: .seconds(60), acknowledgedHeartbeats: 0)
        #expect(backoff.attempt == 0)
    }

    // MARK: against the sandbox

    /// Starts a sandbox and a client for `token`, runs `body`, then stops both.
    func withGateway(
        heartbeatInterval: Int = 41250, clock: any Clock<Duration> = ContinuousClock(), stableAfter: Duration = .seconds(60),
        onEvent: @escaping @Sendable (GatewayEvent) async -> Void = { _ in },
        _ body: (SandboxServer, GatewayClient) async throws -> Void
    ) async throws {
        let server = SandboxServer(
            configuration: SandboxConfiguration(port: 0, gatewayPort: 0, speedFactor: 0.01, tileSize: 32, heartbeatInterval: heartbeatInterval))
        // The sandbox stops gracefully after the client (`serve`): a connection accepted while a Hummingbird
        // server is cancelled can trap in NIO ("Deinited NIOAsyncWriter").
        try await server.serve { server in
            _ = try await server.waitUntilListening()
            let url = try #require(server.gatewayURL)
            let client = GatewayClient(
                configuration: GatewayConfiguration(url: url, token: "loop-user", userAgent: "test", stableSessionAfter: stableAfter),
                logger: Logger(label: "gateway-loop-test"), clock: clock)
            try await withThrowingTaskGroup(of: Void.self) { clients in
                clients.addTask { await client.run(onEvent: onEvent, onStatus: { _ in }) }
                defer { clients.cancelAll() }
                try await body(server, client)
            }
        }
    }

    /// Waits for `condition` until `timeout` (real time) passes.
    func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while await !condition() {
            guard ContinuousClock.now < deadline else { throw GatewayLoopFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func closesRightAfterReadyDoNotResetTheBackoff() async throws {
        // 20× time: back-off ceilings of 1, 2, 4 s take 50, 100, 200 ms; no heartbeat within a session.
        let clock = FastClock(factor: 20)
        // Stable only after 600 clock seconds (30 s real), so a slow machine never makes a session "stable" here.
        try await withGateway(heartbeatInterval: 10_000_000, clock: clock, stableAfter: .seconds(600)) { server, client in
            for round in 1...4 {
                try await eventually("session \(round)") {
                    let s = await server.world.stats
                    return s.identifies + s.resumes == round && client.isConnected
                }
                #expect(await server.world.dropConnections(token: "loop-user") == 1)
                try await eventually("attempt \(round)") { client.reconnectAttempt == round }
            }
            #expect(await server.world.stats.identifies == 1)  // resumed every time
        }
    }

    @Test func aStableSessionResetsTheBackoff() async throws {
        let clock = FastClock(factor: 20)
        // Stable after 100 clock seconds (5 s real): long enough that the test sees attempt 1 first on a loaded
        // machine (with 1 s, a full test run once starved the polling past the whole window).
        try await withGateway(heartbeatInterval: 10_000_000, clock: clock, stableAfter: .seconds(100)) { server, client in
            try await eventually("first session") { await server.world.stats.identifies == 1 && client.isConnected }
            // Drop it (the sandbox may register the session a moment after the client saw READY).
            try await eventually("the session dropped") { await server.world.dropConnections(token: "loop-user") == 1 }
            try await eventually("attempt 1") { client.reconnectAttempt >= 1 }
            try await eventually("second session") { await server.world.stats.resumes == 1 && client.isConnected }
            // Stay up for 120 clock seconds (6 s), past `stableAfter`.
            try await clock.sleep(for: .seconds(120))
            _ = await server.world.dropConnections(token: "loop-user")
            try await eventually("reset") { await server.world.stats.resumes == 2 }
            #expect(client.reconnectAttempt == 0)
        }
    }

    @Test func invalidSessionWaitsAtLeastOneSecond() async throws {
        let clock = FastClock(factor: 10)
        try await withGateway(clock: clock) { server, client in
            try await eventually("READY") { client.isConnected }
            let sent = clock.now
            #expect(await server.world.sendOp(token: "loop-user", op: 9, d: "false") == 1)
            try await eventually("re-identify") { await server.world.stats.identifies == 2 }
            let waited = sent.duration(to: clock.now)
            // At least the op 9 pause; no upper bound asserted (a loaded machine only adds to it).
            #expect(waited >= .seconds(1), "identified again after \(waited)")
        }
    }

    @Test func aSlowEventHandlerDoesNotDelayHeartbeats() async throws {
        // Heartbeat every 3 s; the handler spends 12 s on READY (a REST call, say). Before, ACKs were
        // not read meanwhile and the connection was declared a zombie after two beats. (3 s, not 1 s:
        // a full parallel test run on 2 cores can stall a process for over two seconds.)
        let handling = Gate()
        try await withGateway(
            heartbeatInterval: 3000,
            onEvent: { event in
                guard case .ready = event else { return }
                await handling.set(true)
                try? await Task.sleep(for: .milliseconds(12000))
                await handling.set(false)
            }
        ) { server, client in
            try await eventually("handler busy") { await handling.value }
            let acksBefore = client.acknowledgedHeartbeats
            try await eventually("handler done") { await !handling.value }
            let acksDuring = client.acknowledgedHeartbeats - acksBefore
            // ~4 beats fit in 12 s; a loaded machine may delay some, but with the read loop blocked there would be none.
            #expect(acksDuring >= 2, "only \(acksDuring) heartbeats acknowledged while the handler ran")
            let stats = await server.world.stats
            #expect(stats.resumes == 0 && stats.identifies == 1, "reconnected: \(stats)")
            #expect(client.isConnected)
        }
    }
}

/// A flag shared between a handler and the test.
actor Gate {
    var value = false
    func set(_ v: Bool) { value = v }
}

struct GatewayLoopFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
