import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// The bot's error embeds end the task as FAILURE with the bot's reason; silence ends it by timeout.
@Suite struct BotErrorTests {
    @Test(arguments: [
        (SandboxFault.bannedPrompt, "[Banned prompt detected] Sorry! Our AI moderator thinks this prompt is probably against our community standards."),
        (SandboxFault.queueFull, "[Queue full] Your job queue is full. Please wait for a job to finish first, then resubmit this one."),
        (SandboxFault.actionNeeded, "[Action needed to continue] Sorry! Our AI moderators feel your prompt might be against our community standards."),
        (SandboxFault.creditsExhausted, "[Credits exhausted] You have no more fast hours left."),
        (SandboxFault.interactionTimeout, "Interaction failed: the bot did not answer in time (reason 2)"),
    ])
    func faultFailsTask(fault: SandboxFault, reasonPrefix: String) async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(fault, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("a harmless teapot"))
            #expect(task["status"]?.stringValue == "FAILURE")
            let reason = task["failReason"]?.stringValue ?? ""
            #expect(reason.hasPrefix(reasonPrefix), "\(reason)")
            #expect(task["finishTime"]?.intValue != nil)
            #expect(task["progress"]?.stringValue != "100%")
        }
    }

    @Test func invalidParameterFromThePrompt() async throws {
        try await TestProxy.with { proxy in
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("cat --foo 3"))
            #expect(task["status"]?.stringValue == "FAILURE")
            #expect(task["failReason"]?.stringValue == "[Invalid parameter] Unrecognized parameter(s): `--foo`")
        }
    }

    @Test func silentBotTimesOut() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.sandbox.timeoutMinutes = 0.02  // 1.2 s without Discord activity
        }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("nobody answers"))
            #expect(task["status"]?.stringValue == "FAILURE")
            #expect(task["failReason"]?.stringValue == "Task timeout")
            // The slot is free again: the next task runs (with a timeout a loaded machine cannot hit).
            let id = try #require(await proxy.runtime.pool.all.first?.config.id)
            try await proxy.runtime.accounts.update(id: id) { $0.timeoutMinutes = 5 }
            let (next, _) = try await proxy.waitFinished(try await proxy.imagine("next one"))
            #expect(next["status"]?.stringValue == "SUCCESS")
        }
    }

    @Test func rateLimitedInteractionIsRetried() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.rateLimit, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("rate limited once"))
            #expect(task["status"]?.stringValue == "SUCCESS")
        }
    }
}
