import DiscordKit
import Foundation
import ProxyCore
import Testing

/// The webhook outbox, channel cursors and accounts, checked the same way on every store.
@Suite struct StoreConformanceOutboxTests {
    @Test(arguments: StoreKind.tested) func outboxKeepsPerTaskOrderAndMarksSupersededStates(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let a = Fixture.task(1)
            let b = Fixture.task(2)
            // Task a: three states (one save with two deliveries, then one more); task b: one.
            try await s.store.save(a, outbox: [Fixture.delivery(a.id, sequence: 1), Fixture.delivery(a.id, sequence: 2)])
            try await s.store.save(b, outbox: [Fixture.delivery(b.id, sequence: 1, event: .success)])
            try await s.store.save(a, outbox: [Fixture.delivery(a.id, sequence: 3, event: .success)])
            #expect(try await s.store.outboxDepth() == 4)
            // Only the oldest delivery of each task, in row order; a's has newer states behind it.
            var due = try await s.store.dueDeliveries(now: 100, limit: 10, excluding: [])
            #expect(due.map(\.taskId) == [a.id, b.id])
            #expect(due.map(\.sequence) == [1, 1])
            #expect(due.map(\.superseded) == [true, false])
            #expect(due[1].event == .success && due[1].body == Fixture.delivery(b.id, sequence: 1).body && due[1].deliveryId == "d-\(b.id)-1")
            #expect(due[0].id > 0 && due[0].id < due[1].id)
            // Tasks in flight are left out; the limit counts what is returned.
            #expect(try await s.store.dueDeliveries(now: 100, limit: 10, excluding: [a.id]).map(\.taskId) == [b.id])
            #expect(try await s.store.dueDeliveries(now: 100, limit: 1, excluding: []).map(\.taskId) == [a.id])
            // Removing the head moves to the next state of the same task.
            try await s.store.removeDelivery(id: due[0].id)
            due = try await s.store.dueDeliveries(now: 100, limit: 10, excluding: [])
            #expect(due.filter { $0.taskId == a.id }.map(\.sequence) == [2])
            #expect(due.first { $0.taskId == a.id }?.superseded == true)
            try await s.store.removeDelivery(id: due.first { $0.taskId == a.id }!.id)
            due = try await s.store.dueDeliveries(now: 100, limit: 10, excluding: [])
            #expect(due.map(\.sequence) == [1, 3])
            #expect(due.allSatisfy { !$0.superseded })
            #expect(try await s.store.outboxDepth() == 2)
            try await s.store.removeDelivery(id: 987_654)  // unknown: nothing happens
            #expect(try await s.store.outboxDepth() == 2)
        }
    }

    @Test(arguments: StoreKind.tested) func rescheduledDeliveriesWaitUnlessSuperseded(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let a = Fixture.task(5)
            #expect(try await s.store.nextDeliveryTime() == nil)
            try await s.store.save(a, outbox: [Fixture.delivery(a.id, sequence: 1, next: 50)])
            #expect(try await s.store.dueDeliveries(now: 49, limit: 10, excluding: []).isEmpty)
            let head = try #require(try await s.store.dueDeliveries(now: 50, limit: 10, excluding: []).first)
            try await s.store.rescheduleDelivery(id: head.id, attempts: 3, nextAttempt: 500)
            #expect(try await s.store.nextDeliveryTime() == 500)
            #expect(try await s.store.dueDeliveries(now: 499, limit: 10, excluding: []).isEmpty)
            let retried = try #require(try await s.store.dueDeliveries(now: 500, limit: 10, excluding: []).first)
            #expect(retried.attempts == 3 && retried.nextAttempt == 500 && retried.deliveryId == head.deliveryId)
            // A newer state makes the waiting one due at once (to be dropped), whatever its retry time.
            try await s.store.save(a, outbox: [Fixture.delivery(a.id, sequence: 2, next: 900)])
            #expect(try await s.store.nextDeliveryTime() == 500)
            let superseded = try await s.store.dueDeliveries(now: 10, limit: 10, excluding: [])
            #expect(superseded.map(\.sequence) == [1] && superseded.first?.superseded == true)
            try await s.store.removeDelivery(id: head.id)
            #expect(try await s.store.dueDeliveries(now: 899, limit: 10, excluding: []).isEmpty)
            #expect(try await s.store.dueDeliveries(now: 900, limit: 10, excluding: []).map(\.sequence) == [2])
            #expect(try await s.store.nextDeliveryTime() == 900)
            #expect(try await s.store.outboxDepth() == 1)
        }
    }

    @Test(arguments: StoreKind.tested) func cursorsOnlyMoveForwardBySnowflakeOrder(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            #expect(try await s.store.cursor(channelId: "1") == nil)
            try await s.store.advanceCursor(channelId: "1", messageId: "1180000000000000500")
            try await s.store.advanceCursor(channelId: "1", messageId: "1180000000000000400")
            try await s.store.advanceCursor(channelId: "1", messageId: "999")  // shorter: older, though bigger as text
            #expect(try await s.store.cursor(channelId: "1") == "1180000000000000500")
            try await s.store.advanceCursor(channelId: "1", messageId: "1180000000000000501")
            try await s.store.advanceCursor(channelId: "1", messageId: "11800000000000000000")  // longer: newer
            #expect(try await s.store.cursor(channelId: "1") == "11800000000000000000")
            // Channels are independent.
            try await s.store.advanceCursor(channelId: "2", messageId: "1180000000000000001")
            #expect(try await s.store.cursor(channelId: "2") == "1180000000000000001")
            #expect(try await s.store.cursor(channelId: "1") == "11800000000000000000")
            // Concurrent writers: the newest wins whatever the order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in (100..<140).shuffled() {
                    group.addTask { try await s.store.advanceCursor(channelId: "3", messageId: "1180000000000000\(n)") }
                }
                try await group.waitForAll()
            }
            #expect(try await s.store.cursor(channelId: "3") == "1180000000000000139")
        }
    }

    @Test(arguments: StoreKind.tested) func accountsAreCreatedUpdatedListedAndDeleted(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            #expect(try await s.store.accounts().isEmpty)
            let one = Fixture.account(1, createdAt: 2000)
            let two = Fixture.account(2, createdAt: 1000, origin: .file)
            let three = Fixture.account(3, createdAt: 2000)
            for r in [one, two, three] { try await s.store.saveAccount(r) }
            // Oldest first; equal creation times keep insertion order.
            #expect(try await s.store.accounts() == [two, one, three])
            // Saving an existing id replaces its settings, origin and state, and keeps its place.
            var changed = one
            changed.config.remark = "renamed"
            changed.config.enabled = false
            changed.origin = .file
            changed.botState.disabledReason = "operator"
            try await s.store.saveAccount(changed)
            #expect(try await s.store.accounts() == [two, changed, three])
            try await s.store.deleteAccount(id: two.config.id)
            try await s.store.deleteAccount(id: "absent")
            #expect(try await s.store.accounts().map(\.config.id) == [changed.config.id, three.config.id])
            #expect(try await s.store.accounts().first?.config.userToken == "token-1")
        }
    }
}
