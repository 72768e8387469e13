import DiscordKit
import Foundation
import Hummingbird
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Accounts that run themselves, against the sandbox: token death, fast time running out,
/// captcha pause and resume, blocking, ToS, stale commands and connection failures.
@Suite struct AccountHealthTests {
    /// The running account `n` (1-based) of the proxy.
    static func account(_ proxy: TestProxy, _ n: Int) async throws -> DiscordAccount {
        try #require(await proxy.runtime.pool.account(id: SandboxIDs.channelId(n)))
    }

    static func filter(_ n: Int) -> String { #","accountFilter":{"instanceId":"\#(SandboxIDs.channelId(n))"}"# }

    @Test func tokenDiesMidRunQueuedTasksFinishElsewhere() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 2
            $0.sandbox.speedFactor = 0.1
            // A job sent just before the token died may get no answer at all: it times out quickly here.
            $0.sandbox.timeoutMinutes = 0.5
        }
        try await TestProxy.with(config) { proxy in
            // Account 1's first three jobs get no answer: they hold its three slots, so the tasks queued behind
            // them are surely still waiting when the token dies (on a loaded machine they could all have run before).
            for _ in 0..<3 { await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1)) }
            var ids: [String] = []
            for i in 0..<5 { ids.append(try await proxy.imagine("teapot number \(i)", extra: Self.filter(1))) }
            let first = try await Self.account(proxy, 1)
            try await eventually("two tasks waiting on account 1") { await first.waitingCount >= 2 ? true : nil }
            let revokedAt = nowMillis()
            await proxy.runtime.sandbox!.world.setCondition(.revokedToken, forToken: TestProxy.token(1))
            try await eventually("account 1 disabled") { await first.snapshot().state == .disabled ? true : nil }
            let snapshot = await first.snapshot()
            #expect(snapshot.disabledReason?.contains("4004") == true, "\(snapshot.disabledReason ?? "")")
            var moved = 0
            for id in ids {
                let (task, _) = try await proxy.waitFinished(id, timeout: .seconds(150))
                if task["status"]?.stringValue == "SUCCESS" {
                    if task["properties"]?["discordInstanceId"]?.stringValue == SandboxIDs.channelId(2) {
                        moved += 1
                    } else {
                        // On a slow machine a job of account 1 may have been sent before its token died
                        // (its result can still arrive); nothing is sent on it afterwards.
                        #expect((task["startTime"]?.intValue ?? .max) <= revokedAt, "\(task.compactString)")
                    }
                } else {
                    // Sent on account 1 before it died: failed with the reason, or (no answer ever came) timed out.
                    let reason = task["failReason"]?.stringValue ?? ""
                    #expect(reason.contains("disabled") || reason == "Task timeout", "\(task.compactString)")
                }
            }
            #expect(moved >= 1)
        }
    }

    @Test func fastTimeRunsOutThenRelaxThenFastAgain() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let world = proxy.runtime.sandbox!.world
            let account = try await Self.account(proxy, 1)
            await world.setFastJobs(1, forToken: TestProxy.token(1))
            let (ok, _) = try await proxy.waitFinished(try await proxy.imagine("fast cat"))
            #expect(ok["status"]?.stringValue == "SUCCESS")
            let (failed, _) = try await proxy.waitFinished(try await proxy.imagine("one more fast cat"))
            #expect(failed["failReason"]?.stringValue?.hasPrefix("[Credits exhausted]") == true, "\(failed.compactString)")
            try await eventually("the account switched to relax") {
                let mode = await account.currentMode(.midJourney)
                let exhausted = await account.fastExhausted
                return mode == .relax && exhausted ? true : nil
            }
            let (relaxed, _) = try await proxy.waitFinished(try await proxy.imagine("relaxed cat"))
            #expect(relaxed["status"]?.stringValue == "SUCCESS")
            #expect(relaxed["mode"]?.stringValue == "RELAX")
            // Fast time returns: the next /info switches the account back.
            await world.setFastJobs(nil, forToken: TestProxy.token(1))
            try await account.syncInfo()
            try await eventually("the account switched back to fast") {
                let mode = await account.currentMode(.midJourney)
                let exhausted = await account.fastExhausted
                return mode == .fast && !exhausted ? true : nil
            }
            let snapshot = await account.snapshot()
            #expect(snapshot.mode[.midJourney] == .fast)
            #expect(snapshot.subscribePlan == "Pro")
            #expect(snapshot.fastTimeRemaining?.hasPrefix("29.57") == true)
        }
    }

    @Test func captchaPausesCallsTheHookAndResumes() async throws {
        let received = Locked<[String]>([])
        let router = Router()
        router.post("/hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            received.withLock { $0.append(String(buffer: body)) }
            return Response(status: .ok)
        }
        try await withLocalServer(router) { port in
            let config = TestProxy.config {
                $0.sandbox.accounts = 1
                $0.verificationHookURL = "http://127.0.0.1:\(port)/hook"
                $0.outboundAllowPrivateNetworks = true
            }
            try await TestProxy.with(config) { proxy in
                let world = proxy.runtime.sandbox!.world
                let account = try await Self.account(proxy, 1)
                await world.arm(.captcha, forToken: TestProxy.token(1))
                let (task, _) = try await proxy.waitFinished(try await proxy.imagine("captcha cat"))
                #expect(task["status"]?.stringValue == "FAILURE")
                #expect(task["failReason"]?.stringValue?.contains("verification") == true)
                let body = try await eventually("the verification hook call") { received.value.first }
                let hook = try JSONValue.parse(body)
                #expect(hook["account"]?.stringValue == SandboxIDs.channelId(1))
                #expect(hook["challengeUrl"]?.stringValue?.contains("/captcha/") == true)
                #expect(hook["message"]?.stringValue == "Action required to continue")
                #expect(await account.snapshot().state == .paused)
                #expect(await !account.isAvailable)
                // The captcha's iframe was never answered like the Vary (Region) editor.
                #expect(await world.stats.activityPosts == 0)
                let refused = try await proxy.post("/mj/submit/imagine", #"{"prompt":"while paused"}"#)
                #expect(refused["code"]?.intValue != 1)
                await account.markVerified()
                #expect(await account.snapshot().state == .ready)
                let (after, _) = try await proxy.waitFinished(try await proxy.imagine("verified cat"))
                #expect(after["status"]?.stringValue == "SUCCESS")
            }
        }
    }

    @Test(arguments: [(SandboxFault.pendingMod, "Pending mod message"), (SandboxFault.blocked, "Blocked")])
    func blockingMessageDisables(fault: SandboxFault, title: String) async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(fault, forToken: TestProxy.token(1))
            let account = try await Self.account(proxy, 1)
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("blocked cat"))
            #expect(task["failReason"]?.stringValue?.hasPrefix("[\(title)]") == true)
            try await eventually("the account disabled") { await account.snapshot().state == .disabled ? true : nil }
            #expect(await account.snapshot().disabledReason?.hasPrefix(title) == true)
        }
    }

    @Test func settingsChangesFollowWhatTheBotConfirmed() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let account = try await Self.account(proxy, 1)
            try await account.changeRemix(.midJourney, on: true)
            try await account.changeVersion(.midJourney, to: "7")
            try await account.changeMode(.midJourney, to: .relax)
            try await account.changeMode(.nijiJourney, to: .relax)
            var snapshot = await account.snapshot()
            #expect(snapshot.remix[.midJourney] == true)
            #expect(snapshot.version[.midJourney] == "7")
            #expect(snapshot.mode[.midJourney] == .relax)
            #expect(snapshot.mode[.nijiJourney] == .relax)
            try await account.pressSettingsButton(.midJourney, customId: "MJ::Settings::FastMode")
            try await account.changeRemix(.midJourney, on: false)
            try await account.syncInfo()
            snapshot = await account.snapshot()
            #expect(snapshot.mode[.midJourney] == .fast)
            #expect(snapshot.remix[.midJourney] == false)
            #expect(snapshot.info["Visibility Mode"] == "Stealth")
            await #expect(throws: AccountCommandError.self) { try await account.changeVersion(.midJourney, to: "99") }
        }
    }

    @Test func disabledAccountEmitsAWebhookEvent() async throws {
        let received = Locked<[(String, String)]>([])
        let router = Router()
        router.post("/hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            received.withLock { $0.append((request.headers[.init("X-Mjproxy-Event")!] ?? "", String(buffer: body))) }
            return Response(status: .ok)
        }
        try await withLocalServer(router) { port in
            let config = TestProxy.config {
                $0.sandbox.accounts = 1
                $0.webhookURL = "http://127.0.0.1:\(port)/hook"
                $0.outboundAllowPrivateNetworks = true
            }
            try await TestProxy.with(config) { proxy in
                await proxy.runtime.sandbox!.world.arm(.blocked, forToken: TestProxy.token(1))
                _ = try await proxy.waitFinished(try await proxy.imagine("blocked again"))
                let event = try await eventually("the account.disabled event") { received.value.first { $0.0 == "account.disabled" } }
                let body = try JSONValue.parse(event.1)
                #expect(body["account"]?.stringValue == SandboxIDs.channelId(1))
                #expect(body["reason"]?.stringValue?.hasPrefix("Blocked") == true)
            }
        }
    }

    @Test func termsOfServiceAcceptedAndTheJobGoesOn() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.tosPrompt, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("terms cat"))
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
        }
    }

    @Test func staleCommandVersionRefreshesTheIndex() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let world = proxy.runtime.sandbox!.world
            let (first, _) = try await proxy.waitFinished(try await proxy.imagine("before the change"))
            #expect(first["status"]?.stringValue == "SUCCESS")
            let reads = await world.stats.indexReads
            await world.setCondition(.staleCommands, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("after the change"))
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(await world.stats.staleRefusals >= 1)
            #expect(await world.stats.indexReads > reads)
        }
    }

    @Test func consecutiveConnectFailuresDisable() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.accountMaxConnectFailures = 2
        }
        try await TestProxy.with(config) { proxy in
            let world = proxy.runtime.sandbox!.world
            let account = try await Self.account(proxy, 1)
            await world.setCondition(.refuseConnect, forToken: TestProxy.token(1))
            _ = await world.dropConnections(token: TestProxy.token(1), code: 4000)
            try await eventually("the account disabled", timeout: .seconds(60)) { await account.snapshot().state == .disabled ? true : nil }
            #expect(await account.snapshot().disabledReason == "2 consecutive connection failures")
        }
    }

    @Test func invalidTokenIsCaughtBeforeTheGateway() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let sandbox = proxy.runtime.sandbox!
            let identifies = await sandbox.world.stats.identifies
            let account = proxy.runtime.makeAccount(
                AccountConfig(guildId: SandboxIDs.guildId, channelId: SandboxIDs.channelId(2), userToken: "invalid-token-x"),
                sandboxBase: sandbox.localBaseURL)
            _ = try await withDeadline("run to return") { () -> Bool? in
                await account.run()
                return true
            }
            let snapshot = await account.snapshot()
            #expect(snapshot.state == .disabled)
            #expect(snapshot.disabledReason == "invalid token (HTTP 401 on /users/@me)")
            #expect(await sandbox.world.stats.identifies == identifies)
        }
    }
}
