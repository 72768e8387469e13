import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// A gateway drop in the middle of a job: the client resumes, the sandbox replays, the task finishes.
@Suite struct GatewayResumeTests {
    @Test func taskFinishesAfterDropAndResume() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.sandbox.speedFactor = 0.15
        }
        try await TestProxy.with(config) { proxy in
            let sandbox = try #require(proxy.runtime.sandbox)
            let id = try await proxy.imagine("resume me")
            // Wait until the job is visibly running, then cut the socket (close 4000 = resumable).
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let t = try await proxy.get("/mj/task/\(id)/fetch")
                if t["status"]?.stringValue == "IN_PROGRESS" { break }
                guard ContinuousClock.now < deadline else { throw TestFailure("never in progress: \(t.compactString)") }
                try await Task.sleep(for: .milliseconds(10))
            }
            let closed = await sandbox.world.dropConnections(token: TestProxy.token(1))
            #expect(closed == 1)
            let (task, progress) = try await proxy.waitFinished(id)
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(progress.last == "100%")
            let stats = await sandbox.world.stats
            #expect(stats.resumes >= 1)
            #expect(stats.identifies == 1)  // resumed, not re-identified
        }
    }

    @Test func invalidSessionLeadsToFreshIdentify() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let sandbox = try #require(proxy.runtime.sandbox)
            _ = await sandbox.world.sendOp(token: TestProxy.token(1), op: 9, d: "false")
            let deadline = ContinuousClock.now + .seconds(20)
            while await sandbox.world.stats.identifies < 2 {
                guard ContinuousClock.now < deadline else { throw TestFailure("no re-identify") }
                try await Task.sleep(for: .milliseconds(20))
            }
            while await !proxy.runtime.readiness().0 { try await Task.sleep(for: .milliseconds(20)) }
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("after invalid session"))
            #expect(task["status"]?.stringValue == "SUCCESS")
        }
    }

    @Test func badTokenDisablesTheAccount() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            // A second, real-mode account with a token the sandbox refuses (REST 401, gateway close 4004).
            let sandbox = try #require(proxy.runtime.sandbox)
            let base = try #require(sandbox.localBaseURL)
            var bad = await proxy.runtime.accountConfigs(sandboxBase: base).accounts[0]
            bad.id = "bad-account"
            bad.userToken = "invalid-token"
            try await proxy.runtime.addAccount(bad, sandboxBase: base)
            let added = try #require(await proxy.runtime.pool.account(id: "bad-account"))
            try await eventually("the bad account disabled") { await added.status == .disabled ? true : nil }
            // Caught by the token check before the gateway opens (or by the gateway's 4004).
            let reason = await added.disabledReason ?? ""
            #expect(reason.localizedCaseInsensitiveContains("token") || reason.contains("4004"), "\(reason)")
            // Submissions keep going to the healthy account.
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("healthy account"))
            #expect(task["status"]?.stringValue == "SUCCESS")
        }
    }
}
