import DiscordKit
import Foundation
import ProxyCore
import Testing

/// The `TaskStore` guarantees, checked the same way on every store (memory, SQLite, PostgreSQL):
/// reads, revision rules, recovery of unfinished tasks, concurrent writers.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreKind.tested) func savesFetchesAndPages(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            var a = Fixture.task(1)
            a.setProperty("discordInstanceId", string: "acc")
            a.buttons = [TaskButton(customId: "MJ::JOB::upsample::1::h", emoji: "", label: "U1")]
            a.accountId = "acc"
            let b = Fixture.task(2)
            var c = Fixture.task(3)
            c.prompt = "猫 --ar 16:9"
            for t in [b, a, c] { try await s.store.save(t) }
            #expect(try await s.store.task(id: a.id) == a)
            #expect(try await s.store.task(id: c.id)?.json.compactString == c.json.compactString)
            #expect(try await s.store.task(id: "1790000000000000999") == nil)
            #expect(Set(try await s.store.tasks(ids: [a.id, "nope", c.id]).map(\.id)) == [a.id, c.id])
            #expect(try await s.store.tasks(ids: []).isEmpty)
            // Newest first; `before` pages backwards.
            #expect(try await s.store.list(limit: 10, before: nil).map(\.id) == [c.id, b.id, a.id])
            #expect(try await s.store.list(limit: 2, before: nil).map(\.id) == [c.id, b.id])
            #expect(try await s.store.list(limit: 5, before: b.id).map(\.id) == [a.id])
            #expect(try await s.store.list(limit: 5, before: a.id).isEmpty)
            try await s.store.ping()
        }
    }

    @Test(arguments: StoreKind.tested) func staleWritesNeverReplaceNewerOnesNorReopenFinishedTasks(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let first = Fixture.task(10, revision: 1)
            try await s.store.save(first)
            var newer = first
            newer.status = .inProgress
            newer.revision = 3
            try await s.store.save(newer)
            var stale = first
            stale.status = .submitted
            stale.revision = 2
            try await s.store.save(stale)
            #expect(try await s.store.task(id: first.id) == newer, "an older revision was written over a newer one")
            // The same revision replaces (a store write is idempotent).
            var same = newer
            same.progress = "40%"
            try await s.store.save(same)
            #expect(try await s.store.task(id: first.id)?.progress == "40%")
            var done = same
            done.succeed(at: 5)
            done.revision = 4
            try await s.store.save(done)
            var reopened = same
            reopened.revision = 9
            try await s.store.save(reopened)
            #expect(try await s.store.task(id: first.id)?.status == .success, "a finished task was reopened")
            // A finished task may still change (a later revision of a finished state, e.g. a cached seed).
            var seeded = done
            seeded.setProperty("seed", string: "1234")
            seeded.revision = 10
            try await s.store.save(seeded)
            #expect(try await s.store.task(id: first.id) == seeded)
            #expect(try await s.store.unfinished().tasks.isEmpty)
        }
    }

    @Test(arguments: StoreKind.tested) func aTaskWithoutRevisionCountsAsRevisionZero(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let plain = Fixture.task(20)
            try await s.store.save(plain)
            var next = plain
            next.status = .submitted
            try await s.store.save(next)
            #expect(try await s.store.task(id: plain.id)?.status == .submitted)
            var revised = next
            revised.status = .inProgress
            revised.revision = 1
            try await s.store.save(revised)
            try await s.store.save(next)  // revision nil = 0 < 1: ignored
            #expect(try await s.store.task(id: plain.id)?.status == .inProgress)
        }
    }

    @Test(arguments: StoreKind.tested) func unfinishedIsOldestFirstAndSkipsUnreadableRows(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let bad = Fixture.task(33)
            let good = [Fixture.task(32), Fixture.task(31, status: .inProgress)]
            let finished = Fixture.task(30, status: .success)
            for t in [bad, finished] + good { try await s.store.save(t) }
            let corrupted = try await s.corruptTask(bad.id)
            let recovered = try await s.store.unfinished()
            if corrupted {
                #expect(recovered.tasks.map(\.id) == [good[1].id, good[0].id])
                #expect(recovered.skipped == [bad.id])
                // The row stays where it is (left for an operator), and readable tasks still answer.
                #expect(try await s.store.task(id: good[0].id) == good[0])
                #expect(try await s.store.unfinished().skipped == [bad.id])
            } else {
                #expect(recovered.tasks.map(\.id) == [good[1].id, good[0].id, bad.id])
                #expect(recovered.skipped.isEmpty)
            }
        }
    }

    @Test(arguments: StoreKind.tested) func concurrentSavesOfOneTaskKeepTheHighestRevision(kind: StoreKind) async throws {
        try await StoreHarness.with(kind) { s in
            let base = Fixture.task(40)
            let revisions = Array(1...40).shuffled()
            // Several rounds: the winner must not depend on which write happens to arrive last.
            for round in 0..<3 {
                let id = String(Int(base.id)! + round)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for r in revisions {
                        group.addTask {
                            var t = base
                            t.id = id
                            t.revision = Int64(r)
                            t.status = .inProgress
                            t.progress = "\(r)%"
                            try await s.store.save(t, outbox: r % 10 == 0 ? [Fixture.delivery(id, sequence: Int64(r))] : [])
                        }
                    }
                    try await group.waitForAll()
                }
                let stored = try await s.store.task(id: id)
                #expect(stored?.revision == 40 && stored?.progress == "40%", "round \(round): \(String(describing: stored?.revision))")
            }
            // Every delivery written with its task, none lost to a concurrent transaction.
            #expect(try await s.store.outboxDepth() == 12)
        }
    }
}
