import DiscordKit
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import ProxyCore
import Sandbox
import Storage
import Testing

@testable import MJProxy

/// No Discord job is sent twice; shutdown is bounded; the API is never its own webhook target.
@Suite struct CrashSafetyTests {
    @Test func concurrentModalSubmitsSendOneJob() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("twice submitted")).task
            let u1 = try await proxy.act(grid["id"]!.stringValue!, try proxy.button(grid, "MJ::JOB::upsample::1::"))
            let parent = try #require(u1["id"]?.stringValue)
            let zoom = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(try proxy.button(u1, "MJ::CustomZoom::"))"}"#)
            let zoomId = try #require(zoom["result"]?.stringValue)
            let before = await proxy.runtime.sandbox!.world.stats.interactions
            let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)","prompt":"twice submitted --zoom 1.5"}"#) }
                }
                return try await group.reduce(into: [JSONValue]()) { $0.append($1) }
            }
            let accepted = answers.filter { [1, 22].contains($0["code"]?.intValue ?? -1) }
            #expect(accepted.count == 1, "\(answers.map(\.compactString))")
            #expect(answers.filter { $0["code"]?.intValue == 4 }.count == 7)
            let done = try await proxy.waitFinished(zoomId).task
            #expect(done["status"]?.stringValue == "SUCCESS", "\(done.compactString)")
            // The custom zoom button and one modal answer: two interactions, not more.
            #expect(await proxy.runtime.sandbox!.world.stats.interactions - before == 2)
        }
    }

    @Test func aTaskWhoseInteractionMayHaveBeenSentIsAdoptedNotResent() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-adopt-\(UUID().uuidString).sqlite").path
        // What a crash between recording the nonce and recording SUBMITTED leaves behind.
        let store = try await SQLiteTaskStore.open(path: path, logger: Logger(label: "t"))
        var task = MJTask(id: "1800000000000000001", action: .imagine, botType: .midJourney, prompt: "sent before the crash", submitTime: nowMillis())
        task.accountId = SandboxIDs.channelId(1)
        task.setProperty("nonce", string: "1200000000000000042")
        try await store.save(task)
        try await store.close()
        let taskId = task.id
        let config = TestProxy.config(storePath: path) { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let other = try await proxy.imagine("after the restart")
            let done = try await proxy.waitFinished(other).task
            #expect(done["status"]?.stringValue == "SUCCESS")
            let adopted = try await proxy.get("/mj/task/\(taskId)/fetch")
            // Not re-queued: it keeps its nonce and was never sent again.
            #expect(adopted["status"]?.stringValue == "NOT_START", "\(adopted.compactString)")
            #expect(adopted["properties"]?["nonce"]?.stringValue == "1200000000000000042")
            // It holds its slot; the other task lets go of its own just after its SUCCESS is visible.
            let account = try #require(await proxy.runtime.pool.account(id: SandboxIDs.channelId(1)))
            #expect(await account.holdsSlot(taskId))
            try await eventually("only the adopted task holding a slot") { await account.runningCount == 1 ? true : nil }
        }
    }

    @Test func aMaybeSentTaskWithNoSignOfItsJobIsSentAgainAfterTheGrace() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-resend-\(UUID().uuidString).sqlite").path
        // The proxy died while the POST was in flight and Discord never got it: no bot message will come.
        let store = try await SQLiteTaskStore.open(path: path, logger: Logger(label: "t"))
        var task = MJTask(id: "1800000000000000002", action: .imagine, botType: .midJourney, prompt: "lost in flight", submitTime: nowMillis())
        task.accountId = SandboxIDs.channelId(1)
        task.setProperty("nonce", string: "1200000000000000043")
        try await store.save(task)
        try await store.close()
        let taskId = task.id
        let config = TestProxy.config(storePath: path) {
            $0.sandbox.accounts = 1
            $0.accountResendUnconfirmedSeconds = 1
        }
        try await TestProxy.with(config) { proxy in
            let (done, _) = try await proxy.waitFinished(taskId)
            #expect(done["status"]?.stringValue == "SUCCESS", "\(done.compactString)")
            // Sent once, with a new nonce.
            #expect(done["properties"]?["nonce"]?.stringValue != "1200000000000000043")
            #expect((done["properties"]?["finalPrompt"]?.stringValue ?? "").hasPrefix("lost in flight"))
        }
    }

    @Test func shutdownEndsWithinTenSecondsWhileAWebhookHangs() async throws {
        let router = Router()
        let hits = Locked(0)
        let release = OneShot<Bool>()
        router.post("/slow") { _, _ -> Response in
            hits.withLock { $0 += 1 }
            // Hangs until the proxy has stopped (then lets the receiver itself stop cleanly).
            _ = await release.value()
            return Response(status: .ok)
        }
        let stopped = Locked<ContinuousClock.Instant?>(nil)
        try await withLocalServer(router) { port in
            let config = TestProxy.config {
                $0.outboundAllowPrivateNetworks = true
                $0.webhookURL = "http://127.0.0.1:\(port)/slow"
            }
            // The production bound (6 s, then cancellation), not the test runtimes' longer one.
            try await TestProxy.with(config, gracefulShutdownLimit: .seconds(6)) { proxy in
                _ = try await proxy.imagine("hanging hook")
                try await eventually("a delivery in flight") { hits.value > 0 ? true : nil }
                stopped.withLock { $0 = .now }
            }
            let elapsed = ContinuousClock.now - stopped.value!
            release.fulfil(true)
            #expect(elapsed < .seconds(10), "shutdown took \(elapsed)")
        }
    }

    @Test func aNotifyHookAtTheProxyItselfSubmitsNothing() async throws {
        // Even with private networks allowed, the API's own port is never a webhook target.
        let config = TestProxy.config { $0.outboundAllowPrivateNetworks = true }
        try await TestProxy.with(config) { proxy in
            let hook = proxy.baseURL + "/mj/submit/imagine"
            let id = try await proxy.imagine("self hook", extra: #","notifyHook":"\#(hook)""#)
            #expect(try await proxy.waitFinished(id).task["status"]?.stringValue == "SUCCESS")
            try await eventually("the deliveries given up or refused") {
                proxy.runtime.webhooks.counters.value["retry", default: 0] > 0 ? true : nil
            }
            #expect(try await proxy.get("/mj/task/list").arrayValue?.count == 1)
        }
    }

    @Test func theAPIRefusesItsOwnWebhookDeliveries() async throws {
        try await TestProxy.with { proxy in
            let r = try await proxy.request(
                .POST, "/mj/submit/imagine", body: #"{"prompt":"loop"}"#, headers: [("X-Mjproxy-Delivery", "0b7e3c7a-0000-4000-8000-000000000000")])
            #expect(r.status == 400)
            let body = try JSONValue.parse(r.body)
            #expect(body["code"]?.intValue == 4)
            #expect(try await proxy.get("/mj/task/list").arrayValue?.isEmpty == true)
        }
    }
}
