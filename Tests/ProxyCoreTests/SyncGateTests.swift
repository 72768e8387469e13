import Testing

@testable import ProxyCore

/// The after-connect sync gate: at most `limit` at once, the rest in arrival order, a cancelled waiter leaves.
@Suite struct SyncGateTests {
    actor Probe {
        var running = 0
        var most = 0
        var order: [Int] = []
        func begin(_ n: Int) {
            running += 1
            most = max(most, running)
            order.append(n)
        }
        func end() { running -= 1 }
    }

    @Test func atMostLimitRunAtOnce() async {
        let gate = SyncGate(limit: 3)
        let probe = Probe()
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    _ = await gate.run {
                        await probe.begin(n)
                        await Task.yield()
                        await Task.yield()
                        await probe.end()
                    }
                }
            }
        }
        #expect(await probe.most <= 3)
        #expect(await probe.most >= 1)
        #expect(await probe.order.count == 20, "every sync ran")
        #expect(gate.counts.running == 0 && gate.counts.waiting == 0)
    }

    @Test func aCancelledWaiterLeavesTheQueueWithoutRunning() async throws {
        let gate = SyncGate(limit: 1)
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let (started, starter) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            // The holder: runs until released.
            group.addTask {
                await gate.run {
                    starter.yield()
                    for await _ in release { break }
                } != nil
            }
            for await _ in started { break }
            // A waiter, cancelled while it waits.
            let ran = try await withThrowingTaskGroup(of: Bool.self) { waiter in
                waiter.addTask { await gate.run { true } ?? false }
                try await waitUntil { gate.counts.waiting == 1 }
                waiter.cancelAll()
                return try await waiter.next() ?? true
            }
            #expect(ran == false, "cancelled while waiting: not run")
            #expect(gate.counts.waiting == 0)
            releaser.yield()
            #expect(try await group.next() == true)
            // The place is free again.
            #expect(await gate.run { 7 } == 7)
            #expect(gate.counts.running == 0)
        }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            await Task.yield()
        }
    }
}
