import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Tasks live in SQLite: a restarted proxy still knows them, and picks up unfinished ones.
@Suite struct PersistenceTests {
    @Test func tasksSurviveARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-restart-\(UUID().uuidString).sqlite").path
        let config = TestProxy.config(storePath: path) { $0.sandbox.accounts = 1 }
        let (finished, pending) = try await TestProxy.with(config) { proxy in
            let done = try await proxy.imagine("persist me")
            _ = try await proxy.waitFinished(done)
            // A task the bot never answers stays unfinished across the restart.
            await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
            let open = try await proxy.imagine("still running at shutdown")
            while try await proxy.get("/mj/task/\(open)/fetch")["status"]?.stringValue == "NOT_START" {
                try await Task.sleep(for: .milliseconds(10))
            }
            return (try await proxy.get("/mj/task/\(done)/fetch"), open)
        }
        let restarted = TestProxy.config(storePath: path) {
            $0.sandbox.accounts = 1
            $0.sandbox.timeoutMinutes = 0.02
        }
        try await TestProxy.with(restarted) { proxy in
            let id = try #require(finished["id"]?.stringValue)
            // Before any fetch (nothing cached yet: the finished task comes from the store), then again with
            // both cached: request order, duplicates once, unknown ids left out, the same documents.
            let body = #"{"ids":["\#(id)","\#(pending)","0000000000000000","\#(id)"]}"#
            let cold = try await proxy.post("/mj/task/list-by-condition", body)
            #expect(cold.arrayValue?.map { $0["id"]?.stringValue } == [id, pending])
            #expect(cold.arrayValue?.first == finished)
            _ = try await proxy.get("/mj/task/\(pending)/fetch")
            let warm = try await proxy.post("/mj/task/list-by-condition", body)
            #expect(warm.arrayValue?.first == finished)
            #expect(warm.arrayValue?.map { $0["id"]?.stringValue } == [id, pending])
            let again = try await proxy.get("/mj/task/\(id)/fetch")
            #expect(again == finished)
            // The recovered running task is adopted by its account and ends (here by timeout), not lost.
            let (task, _) = try await proxy.waitFinished(pending)
            #expect(task["status"]?.stringValue == "FAILURE")
            #expect(task["failReason"]?.stringValue == "Task timeout")
            let list = try await proxy.get("/mj/task/list")
            #expect(list.arrayValue?.count == 2)
        }
    }
}
