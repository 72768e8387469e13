import DiscordKit
import Foundation
import ProxyCore
import Testing

@testable import PostgresStorage

/// What several instances on one PostgreSQL store share. Webhook deliveries are claimed by one instance:
/// instances claiming at once never get the same delivery, a claimed delivery is not handed out again
/// until it is rescheduled, removed or its claim runs out, and a task's later deliveries wait behind its
/// claimed head. The image signing key is one for all.
@Suite struct ClusterStoreTests {
    static let kinds = StoreKind.tested.filter { $0 == .postgres }

    @Test(arguments: kinds) func eachDeliveryIsClaimedByOneInstance(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let store = s.store
            for n in 1...20 {
                let t = Fixture.task(n)
                try await store.save(t, outbox: [Fixture.delivery(t.id, sequence: 1), Fixture.delivery(t.id, sequence: 2, event: .success)])
            }
            // Four "instances" claim at once: every head delivery goes to exactly one of them.
            let claimed = try await withThrowingTaskGroup(of: [OutboxDelivery].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await store.claimDueDeliveries(now: 100, limit: 100, excluding: [], claim: .seconds(60)) }
                }
                var all: [OutboxDelivery] = []
                for try await got in group { all += got }
                return all
            }
            #expect(claimed.count == 20)
            #expect(Set(claimed.map(\.id)).count == 20)
            #expect(claimed.allSatisfy { $0.sequence == 1 && $0.superseded })
            // Claimed: nobody gets them (nor the states behind them) until they are done with.
            #expect(try await store.claimDueDeliveries(now: 100, limit: 100, excluding: [], claim: .seconds(60)).isEmpty)
            let first = try #require(claimed.min { $0.id < $1.id })
            try await store.removeDelivery(id: first.id)
            let next = try await store.claimDueDeliveries(now: 100, limit: 100, excluding: [], claim: .seconds(60))
            #expect(next.map(\.taskId) == [first.taskId] && next.map(\.sequence) == [2])
            // A rescheduled delivery is free again once due.
            try await store.rescheduleDelivery(id: next[0].id, attempts: 1, nextAttempt: 500)
            #expect(try await store.claimDueDeliveries(now: 499, limit: 100, excluding: [], claim: .seconds(60)).isEmpty)
            #expect(try await store.claimDueDeliveries(now: 500, limit: 100, excluding: [], claim: .seconds(60)).map(\.id) == [next[0].id])
            // A claim that ran out (its instance died) is handed out again.
            let t = Fixture.task(99)
            try await store.save(t, outbox: [Fixture.delivery(t.id, sequence: 1)])
            let lapsed = try await store.claimDueDeliveries(now: 100, limit: 100, excluding: [], claim: .zero)
            #expect(lapsed.map(\.taskId) == [t.id])
            #expect(try await store.claimDueDeliveries(now: 100, limit: 100, excluding: [], claim: .seconds(60)).map(\.taskId) == [t.id])
        }
    }

    @Test(arguments: kinds) func instancesOpeningOneStoreShareTheImageSigningKey(kind: StoreKind) async throws {
        let configuration = try StoreHarness.postgresConfiguration().with(schema: StoreHarness.freshSchema("key"))
        do {
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<3 {
                    group.addTask { try await PostgresTaskStore.open(configuration, logger: StoreHarness.logger, instanceId: "i\(i)").sharedImageSigningKey }
                }
                var out: [String] = []
                for try await k in group { out.append(k) }
                return out
            }
            #expect(Set(keys).count == 1)
            #expect(keys[0].count == 64 && keys[0].allSatisfy(\.isHexDigit))
            try await StoreHarness.dropSchema(configuration)
        } catch {
            try? await StoreHarness.dropSchema(configuration)
            throw error
        }
    }

    @Test(arguments: StoreKind.tested) func unfinishedTasksOfSomeAccounts(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            var tasks: [MJTask] = []
            for (n, account, status) in [(1, "x", TaskStatus.notStart), (2, "y", .inProgress), (3, "x", .success), (4, "x", .submitted), (5, "z", .notStart)] {
                var t = Fixture.task(n, status: status)
                t.accountId = account
                try await s.store.save(t)
                tasks.append(t)
            }
            #expect(try await s.store.unfinished(accounts: ["x"]).map(\.id) == [tasks[0].id, tasks[3].id])
            #expect(try await s.store.unfinished(accounts: ["x", "y"]).map(\.id) == [tasks[0].id, tasks[1].id, tasks[3].id])
            #expect(try await s.store.unfinished(accounts: []).isEmpty)
        }
    }
}
