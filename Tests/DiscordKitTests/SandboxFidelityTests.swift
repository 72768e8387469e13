import DiscordKit
import Foundation
import Logging
import Sandbox
import Testing

/// The DiscordKit gateway client against the sandbox over loopback: READY, dispatches, RESUME.
@Suite struct SandboxFidelityTests {
    actor Events {
        var list: [String] = []
        var statuses: [GatewayStatus] = []
        func add(_ e: GatewayEvent) {
            switch e {
            case .ready: list.append("READY")
            case .resumed: list.append("RESUMED")
            case .messageCreate(let m): list.append("MESSAGE_CREATE:\(m.content)")
            default: break
            }
        }
        func add(_ s: GatewayStatus) { statuses.append(s) }
    }

    @Test func readyAndFatalClose() async throws {
        let server = SandboxServer(configuration: SandboxConfiguration(port: 0, gatewayPort: 0, speedFactor: 0.01, tileSize: 32))
        try await server.serve { server in
            _ = try await server.waitUntilListening()
            let gateway = try #require(server.gatewayURL)
            let events = Events()
            let good = GatewayClient(
                configuration: GatewayConfiguration(url: gateway, token: "fidelity-user", userAgent: "test"), logger: Logger(label: "t"))
            // The client runs in its own group and ends before the server stops (see GatewayLoopTests.withGateway).
            try await withThrowingTaskGroup(of: Void.self) { clients in
                clients.addTask { await good.run(onEvent: { await events.add($0) }, onStatus: { await events.add($0) }) }
                defer { clients.cancelAll() }
                let bad = GatewayClient(
                    configuration: GatewayConfiguration(url: gateway, token: "invalid-token", userAgent: "test"), logger: Logger(label: "t"))
                let badStatuses = Events()
                // A refused token ends the client with a fatal 4004 instead of looping.
                await bad.run(onEvent: { _ in }, onStatus: { await badStatuses.add($0) })
                let last = await badStatuses.statuses.last
                guard case .fatal(let code, _) = last else { Issue.record("\(String(describing: last))"); return }
                #expect(code == 4004)
                let deadline = ContinuousClock.now + .seconds(10)
                while await !events.list.contains("READY") {
                    guard ContinuousClock.now < deadline else { throw DiscordError.notConnected }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(good.sessionId != nil)
                // A drop (4000) is resumed, not re-identified.
                _ = await server.world.dropConnections(token: "fidelity-user")
                while await !events.list.contains("RESUMED") {
                    guard ContinuousClock.now < deadline else { throw DiscordError.notConnected }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(await server.world.stats.identifies == 1)
            }
        }
    }
}
