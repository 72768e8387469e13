import DiscordKit
import Foundation
import ProxyCore
import Testing

@testable import PostgresStorage

/// The account-lease semantics every `AccountLeaseStore` keeps (the in-memory reference and PostgreSQL):
/// one holder per account, expiry, renewal, release, heartbeats; and no account taken twice when
/// instances ask at once.
@Suite struct AccountLeaseStoreTests {
    static let kinds = StoreKind.tested.filter { $0 != .sqlite }

    /// Runs `body` with a fresh lease store of `kind` (a schema of its own on PostgreSQL).
    func with(_ kind: StoreKind, _ body: @escaping @Sendable (any AccountLeaseStore) async throws -> Void) async throws {
        if kind == .memory {
            return try await body(MemoryAccountLeases(now: { Int64(Date().timeIntervalSince1970 * 1000) }))
        }
        try await StoreHarness.with(kind) { s in
            let leases = try #require(s.store as? any AccountLeaseStore)
            try await body(leases)
        }
    }

    @Test(arguments: kinds) func oneHolderPerAccountUntilReleasedOrExpired(kind: StoreKind) async throws {
        try await with(kind) { store in
            let long = Duration.seconds(60)
            #expect(try await store.acquireLeases(["x", "y"], instance: "a", duration: long) == ["x", "y"])
            #expect(try await store.acquireLeases(["x", "y", "z"], instance: "b", duration: long) == ["z"])
            #expect(try await store.leaseHolders() == ["x": "a", "y": "a", "z": "b"])
            #expect(try await store.renewLeases(instance: "a", duration: long) == ["x", "y"])
            #expect(try await store.acquireLeases(["x"], instance: "a", duration: long) == ["x"], "asking again for its own lease keeps it")
            #expect(try await store.holdsLease("x", instance: "a"))
            #expect(try await !store.holdsLease("x", instance: "b"))
            #expect(try await !store.holdsLease("nobody", instance: "a"))

            // A lease of no duration has expired at once: another instance takes it, the old holder's renewal misses it.
            #expect(try await store.acquireLeases(["w"], instance: "a", duration: .zero) == ["w"])
            #expect(try await !store.holdsLease("w", instance: "a"), "expired")
            #expect(try await store.acquireLeases(["w"], instance: "b", duration: long) == ["w"])
            #expect(try await store.renewLeases(instance: "a", duration: long) == ["x", "y"])

            try await store.releaseLeases(["x"], instance: "b")
            #expect(try await store.leaseHolders()["x"] == "a", "an instance cannot release another's lease")
            try await store.releaseLeases(["x"], instance: "a")
            #expect(try await store.acquireLeases(["x"], instance: "b", duration: long) == ["x"])
            try await store.releaseLeases(nil, instance: "a")
            #expect(try await store.leaseHolders() == ["x": "b", "z": "b", "w": "b"])
            #expect(try await store.renewLeases(instance: "a", duration: long).isEmpty)
        }
    }

    @Test(arguments: kinds) func heartbeatsListLiveInstancesUntilTheyLeave(kind: StoreKind) async throws {
        try await with(kind) { store in
            _ = try await store.heartbeat(instance: "a", startedAt: 1, liveWithin: .seconds(60))
            let both = try await store.heartbeat(instance: "b", startedAt: 2, liveWithin: .seconds(60))
            #expect(both.map(\.id) == ["a", "b"])
            #expect(both.first?.startedAt == 1)
            try await store.leave(instance: "a")
            #expect(try await store.heartbeat(instance: "b", startedAt: 2, liveWithin: .seconds(60)).map(\.id) == ["b"])
            try await store.leave(instance: "b")
            _ = try await store.heartbeat(instance: "b", startedAt: 2, liveWithin: .seconds(60))
            // A second process with b's id does not refresh b's row: b's start time stays, and its row can expire.
            let dup = try await store.heartbeat(instance: "b", startedAt: 99, liveWithin: .seconds(60))
            #expect(dup.first { $0.id == "b" }?.startedAt == 2)
            #expect(try await store.heartbeat(instance: "b", startedAt: 99, liveWithin: .zero).isEmpty, "expired: taken over")
            #expect(try await store.heartbeat(instance: "b", startedAt: 99, liveWithin: .seconds(60)).first?.startedAt == 99)
            // A heartbeat older than the window does not count.
            #expect(try await store.heartbeat(instance: "b", startedAt: 2, liveWithin: .zero).isEmpty)
        }
    }

    @Test(arguments: kinds) func instancesAskingAtOnceNeverShareAnAccount(kind: StoreKind) async throws {
        // Rounds of six instances asking for the same twelve accounts, each in its own order (a CI run once
        // met a deadlock between two such statements, which PostgreSQL ends by failing one of them).
        try await with(kind) { store in
            for round in 0..<15 {
                let accounts = (1...12).map { "r\(round)-acc\($0)" }
                let results = try await withThrowingTaskGroup(of: (String, Set<String>).self) { group in
                    for i in 0..<6 {
                        group.addTask { ("i\(i)", try await store.acquireLeases(accounts.shuffled(), instance: "i\(i)", duration: .seconds(60))) }
                    }
                    var out: [(String, Set<String>)] = []
                    for try await r in group { out.append(r) }
                    return out
                }
                #expect(results.map(\.1.count).reduce(0, +) == accounts.count, "each account taken exactly once")
                let holders = try await store.leaseHolders()
                for (instance, got) in results { for id in got { #expect(holders[id] == instance) } }
            }
        }
    }
}
