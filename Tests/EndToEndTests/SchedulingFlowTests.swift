import DiscordKit
import Foundation
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Scheduling end to end against the sandbox: capacity codes, eligibility, sub-channels, pacing.
@Suite("Scheduling end to end")
struct SchedulingFlowTests {
    /// Waits until `n` accounts are connected.
    func allConnected(_ proxy: TestProxy, _ n: Int) async throws {
        try await eventually("\(n) accounts connected", timeout: .seconds(60)) { () -> Bool? in
            var up = 0
            for a in await proxy.runtime.pool.all where await a.isAvailable { up += 1 }
            return up >= n ? true : nil
        }
    }

    /// Changes sandbox account `n` (1-based) live.
    func configure(_ proxy: TestProxy, _ n: Int, _ tweak: (inout AccountConfig) -> Void) async throws -> DiscordAccount {
        guard let account = await proxy.runtime.pool.account(id: SandboxIDs.channelId(n)) else { throw TestFailure("no account \(n)") }
        var c = account.config
        tweak(&c)
        await account.apply(c)
        return account
    }

    func submit(_ proxy: TestProxy, _ prompt: String, path: String = "/mj/submit/imagine", extra: String = "") async throws -> JSONValue {
        try await proxy.post(path, #"{"prompt":\#(JSONValue.string(prompt).compactString)\#(extra)}"#)
    }

    @Test func sixtyConcurrentSubmitsAreAnsweredExactlyAsCapacityAllows() async throws {
        // 3 accounts × (core 3 + queue 10) = 39 places. Jobs are slow enough that none ends during the burst.
        let config = TestProxy.config {
            $0.sandbox.accounts = 3
            $0.sandbox.speedFactor = 0.3
        }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 3)
            let answers = try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for i in 0..<60 { group.addTask { try await submit(proxy, "capacity \(i)") } }
                var all: [JSONValue] = []
                for try await a in group { all.append(a) }
                return all
            }
            let burstEnd = nowMillis()
            let codes = answers.map { $0["code"]?.intValue ?? -1 }
            let accepted = answers.filter { [1, 22].contains($0["code"]?.intValue ?? -1) }
            var perAccount: [String: [Int64]] = [:]
            for a in accepted {
                perAccount[a["properties"]?["discordInstanceId"]?.stringValue ?? "?", default: []].append(a["properties"]?["numberOfQueues"]?.intValue ?? 0)
            }
            for r in answers where r["code"]?.intValue == 23 {
                #expect(r["result"] == .null)
            }
            // Every task reaches SUCCESS; none ended before the burst was answered (else capacity would have grown).
            var finishTimes: [Int64] = []
            for a in accepted {
                let id = try #require(a["result"]?.stringValue)
                let (task, _) = try await proxy.waitFinished(id, timeout: .seconds(240))
                #expect(task["status"]?.stringValue == "SUCCESS", "task \(id): \(task["failReason"]?.stringValue ?? "")")
                finishTimes.append(task["finishTime"]?.intValue ?? 0)
            }
            try #require((finishTimes.min() ?? 0) > burstEnd, "a job ended during the burst: the test machine is too slow for exact counts")
            // Per account: 4 answered 1 (three start at once, the fourth waits behind nobody), 9 answered 22 with 1…9 ahead.
            #expect(codes.filter { $0 == 1 }.count == 12)
            #expect(codes.filter { $0 == 22 }.count == 27)
            #expect(codes.filter { $0 == 23 }.count == 21)
            #expect(perAccount.count == 3)
            for (_, queues) in perAccount {
                #expect(queues.count == 13)
                #expect(queues.sorted() == [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
            }
        }
    }

    @Test func speedModesChooseTheAccountAndItsFlag() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 3 }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 3)
            _ = try await configure(proxy, 1) { $0.allowedModes = [.relax] }
            _ = try await configure(proxy, 2) {
                $0.allowedModes = [.fast]
                $0.botTypes = [.midJourney]
            }
            _ = try await configure(proxy, 3) { $0.enabled = false }
            // No account allows turbo: 4 / V13.
            let turbo = try await submit(proxy, "cat --turbo")
            #expect(turbo["code"]?.intValue == 4)
            #expect(turbo["description"]?.stringValue == "no account supports mode TURBO")
            // Path prefix: relax → account 1, the flag goes into the prompt.
            let relax = try await submit(proxy, "dog", path: "/mj-relax/mj/submit/imagine")
            #expect(relax["properties"]?["discordInstanceId"]?.stringValue == SandboxIDs.channelId(1))
            let relaxTask = try await proxy.waitFinished(try #require(relax["result"]?.stringValue)).task
            #expect(relaxTask["status"]?.stringValue == "SUCCESS")
            #expect(relaxTask["promptEn"]?.stringValue?.hasSuffix("--relax") == true)
            // Filter modes in preference order: turbo nowhere, fast on account 2.
            let fast = try await submit(proxy, "bird", extra: #","accountFilter":{"modes":["TURBO","FAST"]}"#)
            #expect(fast["properties"]?["discordInstanceId"]?.stringValue == SandboxIDs.channelId(2))
            let fastTask = try await proxy.waitFinished(try #require(fast["result"]?.stringValue)).task
            #expect(fastTask["promptEn"]?.stringValue?.hasSuffix("--fast") == true)
            #expect(fastTask["status"]?.stringValue == "SUCCESS")
            // Niji: only account 1 serves it, and it runs relax only.
            let nijiFast = try await submit(proxy, "fox --fast", extra: #","botType":"NIJI_JOURNEY""#)
            #expect(nijiFast["code"]?.intValue == 4)
            let niji = try await submit(proxy, "fox", extra: #","botType":"NIJI_JOURNEY""#)
            #expect(niji["properties"]?["discordInstanceId"]?.stringValue == SandboxIDs.channelId(1))
            // A filter nobody passes: V12.
            let nobody = try await submit(proxy, "owl", extra: #","accountFilter":{"instanceId":"nope"}"#)
            #expect(nobody["description"]?.stringValue == "no account matches accountFilter")
        }
    }

    @Test func fixedModeReplacesTheRequestedFlag() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 1)
            _ = try await configure(proxy, 1) { $0.fixedMode = .relax }
            let answer = try await submit(proxy, "river --fast")
            let task = try await proxy.waitFinished(try #require(answer["result"]?.stringValue)).task
            #expect(task["status"]?.stringValue == "SUCCESS")
            let prompt = try #require(task["promptEn"]?.stringValue)
            #expect(prompt.hasSuffix("--relax"))
            #expect(!prompt.contains("--fast"))
        }
    }

    @Test func dailyLimitWorkWindowAndBotTypesRefuseWithCode3() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 1)
            let account = try await configure(proxy, 1) { $0.dailyLimit = 2 }
            // Two at once: both accepted (the limit counts waiting jobs too), the third refused.
            let first = try await submit(proxy, "one")
            let second = try await submit(proxy, "two")
            let third = try await submit(proxy, "three")
            #expect(third["code"]?.intValue == 3)
            for a in [first, second] {
                let task = try await proxy.waitFinished(try #require(a["result"]?.stringValue)).task
                #expect(task["status"]?.stringValue == "SUCCESS")
            }
            #expect(await account.snapshot().jobsToday == 2)
            #expect(try await submit(proxy, "four")["code"]?.intValue == 3)
            // Outside the work window: 3; inside: accepted.
            let minute = Int((nowMillis() / 60_000) % 1440)
            func hhmm(_ m: Int) -> String { String(format: "%02d:%02d", ((m + 1440) % 1440) / 60, ((m + 1440) % 1440) % 60) }
            _ = try await configure(proxy, 1) {
                $0.dailyLimit = nil
                $0.workWindow = "\(hhmm(minute + 120))-\(hhmm(minute + 180))"
            }
            #expect(try await submit(proxy, "five")["code"]?.intValue == 3)
            _ = try await configure(proxy, 1) { $0.workWindow = "\(hhmm(minute - 60))-\(hhmm(minute + 60))" }
            let inside = try await submit(proxy, "six")
            #expect([1, 22].contains(inside["code"]?.intValue ?? -1))
            // Bot types: a Midjourney-only account refuses niji with 3.
            _ = try await configure(proxy, 1) { $0.botTypes = [.midJourney] }
            #expect(try await submit(proxy, "seven", extra: #","botType":"NIJI_JOURNEY""#)["code"]?.intValue == 3)
            _ = try await proxy.waitFinished(try #require(inside["result"]?.stringValue))
        }
    }

    @Test func subChannelsSpreadJobsAndActionsStayInTheParentChannel() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 1)
            let subs = [SandboxIDs.channelId(8), SandboxIDs.channelId(9)]
            _ = try await configure(proxy, 1) { $0.subChannels = subs }
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<3 { group.addTask { try await proxy.imagine("channel spread \(i)") } }
                var all: [String] = []
                for try await id in group { all.append(id) }
                return all
            }
            var channels: [String: String] = [:]
            for id in ids {
                let task = try await proxy.waitFinished(id).task
                #expect(task["status"]?.stringValue == "SUCCESS")
                channels[id] = task["properties"]?["discordChannelId"]?.stringValue
            }
            // Three jobs at once went to three different channels.
            #expect(Set(channels.values) == Set([SandboxIDs.channelId(1)] + subs))
            // An upscale of the grid made in a sub-channel runs in that channel.
            let (parentId, parentChannel) = try #require(channels.first { subs.contains($0.value) })
            let grid = try await proxy.get("/mj/task/\(parentId)/fetch")
            let upscale = try await proxy.act(parentId, try proxy.button(grid, "MJ::JOB::upsample::1::"))
            #expect(upscale["status"]?.stringValue == "SUCCESS")
            #expect(upscale["properties"]?["discordChannelId"]?.stringValue == parentChannel)
        }
    }

    @Test func pacingSpacesTheSubmitsOfAnAccount() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            try await allConnected(proxy, 1)
            _ = try await configure(proxy, 1) { $0.minSubmitInterval = 2.0 }
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<3 { group.addTask { try await proxy.imagine("paced \(i)") } }
                var all: [String] = []
                for try await id in group { all.append(id) }
                return all
            }
            var starts: [Int64] = []
            for id in ids {
                let task = try await proxy.waitFinished(id).task
                #expect(task["status"]?.stringValue == "SUCCESS")
                starts.append(try #require(task["startTime"]?.intValue))
            }
            starts.sort()
            // The three interactions went out 2 s apart. startTime is taken when each POST returned, and a
            // loaded machine may delay any one of them by a second, so the span of all three is checked
            // (4 s paced; without pacing they would be a few ms apart).
            let span = (starts.last ?? 0) - (starts.first ?? 0)
            #expect(span >= 2500, "\(starts)")
        }
    }
}
