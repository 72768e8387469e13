import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Testing

@testable import MJProxy

/// Live task events (Server-Sent Events, contract §5.7) through HTTP against the sandbox.
@Suite struct TaskEventsTests {
    /// Rank of a status along an imagine's lifecycle.
    static let order = ["NOT_START": 0, "SUBMITTED": 1, "IN_PROGRESS": 2, "SUCCESS": 3, "FAILURE": 3, "CANCEL": 3]

    /// Checks the invariants of every event of one task: sequences strictly increasing, event name
    /// matching the status, data the task's JSON.
    static func expectWellFormed(_ events: [SSEFrame], task id: String) {
        var last: Int64 = -1
        for e in events {
            let seq = e.sequence ?? -1
            #expect(seq > last, "sequence \(seq) after \(last)")
            last = seq
            let task = e.task
            #expect(task?["id"]?.stringValue == id)
            let status = task?["status"]?.stringValue ?? ""
            let expected = ["NOT_START": "task.progress", "SUBMITTED": "task.submitted", "IN_PROGRESS": "task.progress", "SUCCESS": "task.success",
                            "FAILURE": "task.failure", "CANCEL": "task.cancel", "MODAL": "task.modal"][status]
            #expect(e.event == expected, "event \(e.event ?? "nil") for status \(status)")
        }
    }

    @Test func imagineStreamsEveryChangeInOrderAndCloses() async throws {
        // Jobs slow enough that each step is its own event.
        try await TestProxy.with(TestProxy.config { $0.sandbox.speedFactor = 0.1 }) { proxy in
            let id = try await proxy.imagine("a lighthouse at dusk")
            let (status, headers, frames) = try await proxy.readEvents("/mj/task/\(id)/events")
            #expect(status == 200)
            #expect(headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(headers.first(name: "Cache-Control") == "no-cache")
            #expect(frames.first?.retry == 3000)
            let events = frames.filter { $0.event != nil }
            Self.expectWellFormed(events, task: id)
            let statuses = events.compactMap { $0.task?["status"]?.stringValue }
            let ranks = statuses.compactMap { Self.order[$0] }
            #expect(ranks == ranks.sorted(), "statuses \(statuses)")
            #expect(statuses.contains("SUBMITTED") && statuses.contains("IN_PROGRESS"), "statuses \(statuses)")
            #expect(events.last?.event == "task.success")
            #expect(events.filter { $0.event == "task.success" }.count == 1)
            // The last event carries the task exactly as fetch returns it.
            let fetched = try await proxy.request(.GET, "/mj/task/\(id)/fetch")
            #expect(events.last?.data == fetched.body)
        }
    }

    @Test func finishedTaskYieldsOneEventAndResumeSkipsWhatTheClientHas() async throws {
        try await TestProxy.with { proxy in
            let id = try await proxy.imagine("a cat")
            _ = try await proxy.waitFinished(id)
            let fetched = try await proxy.request(.GET, "/mj/task/\(id)/fetch")
            let (status, _, frames) = try await proxy.readEvents("/mj/task/\(id)/events")
            #expect(status == 200)
            let events = frames.filter { $0.event != nil }
            #expect(events.count == 1)
            #expect(events.first?.event == "task.success")
            #expect(events.first?.data == fetched.body)
            let final = try #require(events.first?.sequence)
            // An older Last-Event-ID gets the final state again.
            let older = try await proxy.readEvents("/mj/task/\(id)/events", headers: [("Last-Event-ID", String(final - 1))])
            #expect(older.frames.filter { $0.event != nil }.map(\.sequence) == [final])
            // The current one: nothing left to send, answered 204 (an EventSource stops reconnecting).
            let current = try await proxy.request(.GET, "/mj/task/\(id)/events", headers: [("Last-Event-ID", String(final))])
            #expect(current.status == 204)
            #expect(current.body.isEmpty)
        }
    }

    @Test func lastEventIDSuppressesTheFirstEventOfARunningTask() async throws {
        // Slow jobs: the task is still running while the second stream opens.
        try await TestProxy.with(TestProxy.config { $0.sandbox.speedFactor = 1 }) { proxy in
            let id = try await proxy.imagine("a slow lighthouse")
            let first = try await withDeadline("the first event") {
                var c = try await proxy.openEvents("/mj/task/\(id)/events")
                return try await c.until { $0.event != nil }.last
            }
            let seen = try #require(first.sequence)
            let frames = try await withDeadline("the resumed stream to end") {
                var c = try await proxy.openEvents("/mj/task/\(id)/events", headers: [("Last-Event-ID", String(seen))])
                #expect(c.status == 200)
                // The retry block comes first; then cancel, so the stream ends with task.cancel.
                let head = try #require(try await c.next())
                _ = try await proxy.post("/mj/task/\(id)/cancel", "")
                return [head] + (try await c.rest())
            }
            #expect(frames.first?.retry == 3000)
            let events = frames.filter { $0.event != nil }
            #expect(!events.isEmpty)
            #expect(events.allSatisfy { ($0.sequence ?? 0) > seen }, "\(events.map(\.id))")
            Self.expectWellFormed(events, task: id)
            #expect(events.last?.event == "task.cancel")
        }
    }

    @Test func severalTasksInOneStream() async throws {
        try await TestProxy.with { proxy in
            let a = try await proxy.imagine("a red fox")
            let b = try await proxy.imagine("a blue whale")
            let (status, _, frames) = try await proxy.readEvents("/mj/task/events?ids=\(a),1234567890123456,\(b),\(a)")
            #expect(status == 200)
            let events = frames.filter { $0.event != nil }
            for id in [a, b] {
                let own = events.filter { $0.task?["id"]?.stringValue == id }
                #expect(own.allSatisfy { $0.id?.hasPrefix("\(id):") == true })
                Self.expectWellFormed(own, task: id)
                #expect(own.last?.event == "task.success")
                let fetched = try await proxy.request(.GET, "/mj/task/\(id)/fetch")
                #expect(own.last?.data == fetched.body)
            }
            #expect(events.allSatisfy { [a, b].contains($0.task?["id"]?.stringValue ?? "") })
            // Finished tasks: one event each, then the stream closes; the mode prefix works too.
            let again = try await proxy.readEvents("/mj-fast/mj/task/events?ids=\(b)&ids=\(a)")
            #expect(again.frames.filter { $0.event != nil }.compactMap { $0.task?["id"]?.stringValue } == [b, a])
        }
    }

    @Test func unknownTasksBadQueriesAndAuth() async throws {
        let config = TestProxy.config {
            $0.apiSecret = "s3cret"
            $0.maxIdsPerQuery = 2
        }
        try await TestProxy.with(config) { proxy in
            let auth = [("mj-api-secret", "s3cret")]
            let unknown = try await proxy.request(.GET, "/mj/task/1234567890123456/events", headers: auth)
            #expect(unknown.status == 404)
            #expect(unknown.body == #"{"code":4,"description":"task not found"}"#)
            let noneKnown = try await proxy.request(.GET, "/mj/task/events?ids=1234567890123456", headers: auth)
            #expect(noneKnown.status == 404)
            let empty = try await proxy.request(.GET, "/mj/task/events?ids=", headers: auth)
            #expect(empty.status == 400)
            let tooMany = try await proxy.request(.GET, "/mj/task/events?ids=1,2,3", headers: auth)
            #expect(tooMany.status == 400)
            #expect(tooMany.body == #"{"code":4,"description":"at most 2 ids per request"}"#)
            #expect(try await proxy.request(.POST, "/mj/task/events", headers: auth).status == 405)

            let submitted = try await proxy.post("/mj/submit/imagine", #"{"prompt":"a cat"}"#, headers: auth)
            let id = try #require(submitted["result"]?.stringValue)
            let refused = try await proxy.request(.GET, "/mj/task/\(id)/events")
            #expect(refused.status == 401)
            #expect(try await proxy.request(.GET, "/mj/task/events?ids=\(id)").status == 401)
            let wrong = try await proxy.request(.GET, "/mj/task/\(id)/events", headers: [("Authorization", "Bearer nope")])
            #expect(wrong.status == 401)
            let allowed = try await proxy.readEvents("/mj-relax/mj/task/\(id)/events", headers: [("Authorization", "Bearer s3cret")])
            #expect(allowed.status == 200)
            #expect(allowed.frames.last?.event == "task.success")
        }
    }

    @Test func pingsKeepTheStreamAlive() async throws {
        let config = TestProxy.config {
            $0.eventsPingSeconds = 0.05
            $0.sandbox.speedFactor = 0.1
        }
        try await TestProxy.with(config) { proxy in
            let id = try await proxy.imagine("a quiet harbour")
            let (_, _, frames) = try await proxy.readEvents("/mj/task/\(id)/events")
            let pings = frames.filter(\.isPing)
            #expect(!pings.isEmpty)
            #expect(frames.last?.event == "task.success")
            Self.expectWellFormed(frames.filter { $0.event != nil }, task: id)
        }
    }

    @Test func pingIntervalIsConfigurable() throws {
        func load(_ yaml: String) throws -> AppConfig {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try ConfigLoader.load(path: path, environment: [:])
        }
        #expect(try load("{}").eventsPingSeconds == 15)
        #expect(try load("task: {eventsPingSeconds: 0.5}").eventsPingSeconds == 0.5)
        #expect(throws: ConfigError.self) { try load("task: {eventsPingSeconds: 0}") }
        do {
            _ = try load("task: {eventsPingSeconds: 0}")
        } catch let e as ConfigError {
            #expect(e.key == "task.eventsPingSeconds")
        }
    }

    @Test func aClientThatDisconnectsLeavesNoSubscriber() async throws {
        // No pings for an hour and jobs that do not move: no write can fail, only the client's
        // closing of the connection can end the stream.
        let config = TestProxy.config {
            $0.eventsPingSeconds = 3600
            $0.sandbox.speedFactor = 1000
        }
        try await TestProxy.with(config) { proxy in
            let hub = proxy.runtime.events
            let id = try await proxy.imagine("a long exposure")
            let ids = "\(id),\(try await proxy.imagine("another long exposure"))"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for path in ["/mj/task/\(id)/events", "/mj/task/events?ids=\(ids)"] {
                    group.addTask {
                        var c = try await proxy.openEvents(path)
                        _ = try await c.until { $0.event != nil }
                        _ = try await c.rest()  // blocks until cancelled
                    }
                }
                try await eventually("both streams to subscribe") { await hub.subscriberCount == 2 ? true : nil }
                #expect(await hub.watchedTaskCount == 2)
                group.cancelAll()
                while let _ = try? await group.next() {}
            }
            try await eventually("the subscriptions to be released") { await hub.subscriberCount == 0 ? true : nil }
            #expect(await hub.watchedTaskCount == 0)
            _ = try await proxy.post("/mj/task/\(id)/cancel", "")
        }
    }

    @Test func shutdownEndsOpenStreams() async throws {
        try await TestProxy.with(TestProxy.config { $0.sandbox.speedFactor = 1 }) { proxy in
            let id = try await proxy.imagine("a lighthouse that never finishes")
            let frames = try await withDeadline("the stream to end at shutdown") {
                var c = try await proxy.openEvents("/mj/task/\(id)/events")
                var frames = try await c.until { $0.event != nil }
                await proxy.runtime.shutdown()
                frames += try await c.rest()
                return frames
            }
            #expect(frames.contains { $0.event != nil })
            #expect(await proxy.runtime.events.subscriberCount == 0)
        }
    }
}
