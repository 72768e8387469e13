import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Testing

@testable import MJProxy
@testable import Sandbox

/// blend, describe (+ picks, retry), shorten (+ picks), change / simple-change, cancel, image seed,
/// upload-discord-images, face swap, niji, auto appeal and banned words — end to end.
@Suite struct CommandFlowTests {
    @Test func blendMixesImages() async throws {
        try await TestProxy.with { proxy in
            let a = TestImages.png(seed: "a")
            let b = TestImages.png(seed: "b")
            let one = try await proxy.post("/mj/submit/blend", #"{"base64Array":["\#(a)"]}"#)
            #expect(one["description"]?.stringValue == "base64Array must contain 2 to 5 images")
            let badDim = try await proxy.post("/mj/submit/blend", #"{"base64Array":["\#(a)","\#(b)"],"dimensions":"ROUND"}"#)
            #expect(badDim["description"]?.stringValue == "invalid dimensions")
            let ok = try await proxy.post("/mj/submit/blend", #"{"base64Array":["\#(a)","data:image/png;base64,\#(b)"],"dimensions":"LANDSCAPE"}"#)
            let id = try #require(ok["result"]?.stringValue, "\(ok.compactString)")
            let task = try await proxy.waitFinished(id).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["action"]?.stringValue == "BLEND")
            #expect(task["description"]?.stringValue == "/blend \(id) 2")
            let prompt = try #require(task["properties"]?["finalPrompt"]?.stringValue)
            #expect(prompt.contains("s.mj.run") && prompt.hasSuffix("--ar 3:2"))
            let (w, h) = try await proxy.imageSize(task)
            #expect(w > h)
            #expect((task["buttons"]?.arrayValue ?? []).count == 9)
        }
    }

    @Test func describeThenPickAndRetry() async throws {
        try await TestProxy.with { proxy in
            let missing = try await proxy.post("/mj/submit/describe", "{}")
            #expect(missing["description"]?.stringValue == "base64 must not be empty")
            let badLink = try await proxy.post("/mj/submit/describe", #"{"link":"file:///etc/passwd"}"#)
            #expect(badLink["description"]?.stringValue == "link must be an http(s) URL")
            let answer = try await proxy.post("/mj/submit/describe", #"{"base64":"\#(TestImages.png(seed: "describe me"))"}"#)
            let id = try #require(answer["result"]?.stringValue, "\(answer.compactString)")
            let task = try await proxy.waitFinished(id).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["action"]?.stringValue == "DESCRIBE")
            let prompt = try #require(task["prompt"]?.stringValue)
            #expect(prompt.hasPrefix("1️⃣") && prompt.contains("4️⃣"))
            #expect(task["promptEn"]?.stringValue == prompt)
            #expect(task["properties"]?["finalPrompt"]?.stringValue == prompt)
            _ = try await proxy.imageSize(task)
            // Pick 2: a modal with the second prompt, then an imagine.
            let pick = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(id)","customId":"MJ::Job::PicReader::2"}"#)
            #expect(pick["code"]?.intValue == 21)
            let second = try #require(pick["properties"]?["finalPrompt"]?.stringValue)
            #expect(!second.isEmpty && prompt.contains(second))
            let pickId = try #require(pick["result"]?.stringValue)
            _ = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(pickId)"}"#)
            let picked = try await proxy.waitFinished(pickId).task
            #expect(picked["status"]?.stringValue == "SUCCESS", "\(picked.compactString)")
            #expect(picked["action"]?.stringValue == "IMAGINE")
            #expect(picked["properties"]?["finalPrompt"]?.stringValue == second)
            // Retry: a new describe of the same image.
            let retry = try await proxy.act(id, "MJ::Picread::Retry")
            #expect(retry["action"]?.stringValue == "DESCRIBE")
            #expect(retry["status"]?.stringValue == "SUCCESS")
            // A link the bot can read (the first result's image on the sandbox CDN).
            let link = try #require(task["imageUrl"]?.stringValue)
            let byLink = try await proxy.post("/mj/submit/describe", #"{"link":"\#(link)"}"#)
            let linked = try await proxy.waitFinished(try #require(byLink["result"]?.stringValue)).task
            #expect(linked["status"]?.stringValue == "SUCCESS", "\(linked.compactString)")
        }
    }

    @Test func shortenThenPick() async throws {
        try await TestProxy.with { proxy in
            let answer = try await proxy.post("/mj/submit/shorten", #"{"prompt":"a very detailed beautiful painting of a quiet harbour town at dawn --ar 3:2"}"#)
            let id = try #require(answer["result"]?.stringValue)
            let task = try await proxy.waitFinished(id).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["action"]?.stringValue == "SHORTEN")
            #expect(task["properties"]?["finalPrompt"]?.stringValue?.contains("## Shortened prompts") == true)
            #expect((task["buttons"]?.arrayValue ?? []).compactMap { $0["customId"]?.stringValue }.filter { $0.hasPrefix("MJ::Job::PromptAnalyzer::") }.count >= 5)
            let pick = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(id)","customId":"MJ::Job::PromptAnalyzer::3"}"#)
            #expect(pick["code"]?.intValue == 21)
            let pickId = try #require(pick["result"]?.stringValue)
            _ = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(pickId)"}"#)
            let picked = try await proxy.waitFinished(pickId).task
            #expect(picked["status"]?.stringValue == "SUCCESS", "\(picked.compactString)")
        }
    }

    @Test func changeAndSimpleChange() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("legacy routes")).task
            let id = try #require(grid["id"]?.stringValue)
            let cases: [(String, String, String)] = [
                ("/mj/submit/change", #"{"taskId":"\#(id)","action":"ZOOM","index":1}"#, "invalid action"),
                ("/mj/submit/change", #"{"taskId":"\#(id)","action":"UPSCALE","index":5}"#, "index must be 1-4"),
                ("/mj/submit/change", #"{"action":"UPSCALE","index":1}"#, "taskId must not be empty"),
                ("/mj/submit/simple-change", #"{"content":"\#(id) X9"}"#, "invalid content"),
                ("/mj/submit/simple-change", #"{"content":"\#(id)"}"#, "invalid content"),
            ]
            for (path, body, description) in cases {
                #expect(try await proxy.post(path, body)["description"]?.stringValue == description, "\(body)")
            }
            let up = try await proxy.post("/mj/submit/change", #"{"taskId":"\#(id)","action":"upscale","index":2}"#)
            let upTask = try await proxy.waitFinished(try #require(up["result"]?.stringValue)).task
            #expect(upTask["action"]?.stringValue == "UPSCALE")
            #expect(upTask["description"]?.stringValue == "/up \(id) U2")
            #expect(upTask["status"]?.stringValue == "SUCCESS")
            let noGrid = try await proxy.post("/mj/submit/change", #"{"taskId":"\#(upTask["id"]!.stringValue!)","action":"VARIATION","index":1}"#)
            #expect(noGrid["description"]?.stringValue == "parent task does not allow this change")
            let simple = try await proxy.post("/mj/submit/simple-change", #"{"content":"\#(id) v3"}"#)
            let v3 = try await proxy.waitFinished(try #require(simple["result"]?.stringValue)).task
            #expect(v3["action"]?.stringValue == "VARIATION")
            #expect(v3["status"]?.stringValue == "SUCCESS")
            // New API sends change-shaped bodies to simple-change.
            let shaped = try await proxy.post("/mj/submit/simple-change", #"{"taskId":"\#(id)","action":"REROLL"}"#)
            #expect(shaped["code"]?.intValue == 1)
        }
    }

    @Test func cancelEndsATaskAndIgnoresLateResults() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
            let id = try await proxy.imagine("cancel me")
            let cancelled = try await proxy.request(.POST, "/mj/task/\(id)/cancel")
            #expect(cancelled.body == #"{"code":1,"description":"Success","result":"\#(id)","properties":{}}"#)
            let task = try await proxy.get("/mj/task/\(id)/fetch")
            #expect(task["status"]?.stringValue == "CANCEL")
            #expect(task["failReason"]?.stringValue == "Task cancelled")
            #expect(task["finishTime"]?.intValue != nil)
            let again = try await proxy.post("/mj/task/\(id)/cancel", "")
            #expect(again["description"]?.stringValue == "task already finished")
            #expect(try await proxy.request(.POST, "/mj/task/1234567890123456/cancel").status == 404)
            // A running job that is cancelled still finishes on Discord; its result is discarded.
            let running = try await proxy.imagine("cancel while running")
            while try await proxy.get("/mj/task/\(running)/fetch")["status"]?.stringValue != "IN_PROGRESS" {
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = try await proxy.post("/mj/task/\(running)/cancel", "")
            try await Task.sleep(for: .seconds(2))
            let after = try await proxy.get("/mj/task/\(running)/fetch")
            #expect(after["status"]?.stringValue == "CANCEL")
            #expect(after["progress"]?.stringValue != "100%")
        }
    }

    @Test func chooseSameChannelMovesToAnotherAccountOfTheChannel() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("same channel")).task
            let sandbox = try #require(proxy.runtime.sandbox)
            let base = try #require(sandbox.localBaseURL)
            var second = await proxy.runtime.accountConfigs(sandboxBase: base).accounts[0]
            second.id = "second-account"
            second.userToken = "sandbox-token-second"
            try await proxy.runtime.addAccount(second, sandboxBase: base)
            let added = try #require(await proxy.runtime.pool.account(id: "second-account"))
            while await !added.isAvailable { try await Task.sleep(for: .milliseconds(10)) }
            // The parent's account dies (its token is refused from now on).
            _ = await sandbox.world.dropConnections(token: TestProxy.token(1), code: 4004)
            let first = try #require(await proxy.runtime.pool.all.first)
            while await first.status != .disabled { try await Task.sleep(for: .milliseconds(10)) }
            let parent = try #require(grid["id"]?.stringValue)
            let u1 = try proxy.button(grid, "MJ::JOB::upsample::1::")
            let refused = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(u1)"}"#)
            #expect(refused["description"]?.stringValue == "Account unavailable: \(first.config.id)")
            let moved = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(u1)","chooseSameChannel":true}"#)
            #expect(moved["properties"]?["discordInstanceId"]?.stringValue == "second-account")
            let task = try await proxy.waitFinished(try #require(moved["result"]?.stringValue)).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
        }
    }

    @Test func queueListsUnfinishedTasksOldestFirst() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
            await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
            let first = try await proxy.imagine("queued one")
            let second = try await proxy.imagine("queued two")
            let done = try await proxy.imagine("finished one")
            let queue = try await proxy.get("/mj/task/queue")
            let ids = (queue.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            #expect(Array(ids.prefix(2)) == [first, second])
            _ = try await proxy.waitFinished(done)
            let after = (try await proxy.get("/mj/task/queue").arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            #expect(after == [first, second])
            #expect(after.allSatisfy { $0 != done })
        }
    }

    @Test func imageSeedComesFromTheBotDM() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("seed me")).task
            let id = try #require(grid["id"]?.stringValue)
            let answer = try await proxy.get("/mj/task/\(id)/image-seed")
            #expect(answer["code"]?.intValue == 1, "\(answer.compactString)")
            let seed = try #require(answer["result"]?.stringValue)
            #expect(!seed.isEmpty && seed.allSatisfy(\.isNumber))
            #expect(try await proxy.get("/mj/task/\(id)/fetch")["properties"]?["seed"]?.stringValue == seed)
            #expect(try await proxy.get("/mj/task/\(id)/image-seed")["result"]?.stringValue == seed)
            #expect(try await proxy.request(.GET, "/mj/task/1234567890123456/image-seed").status == 404)
        }
    }

    @Test func uploadDiscordImages() async throws {
        try await TestProxy.with { proxy in
            let a = TestImages.png(seed: "up1")
            let answer = try await proxy.post("/mj/submit/upload-discord-images", #"{"base64Array":["\#(a)","\#(TestImages.png(seed: "up2"))"]}"#)
            #expect(answer["code"]?.intValue == 1, "\(answer.compactString)")
            let urls = (answer["result"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(urls.count == 2)
            let first = try await proxy.download(urls[0])
            #expect(Data(first.bytes).base64EncodedString() == a)
            #expect(try await proxy.post("/mj/submit/upload-discord-images", #"{"base64Array":[]}"#)["description"]?.stringValue == "base64Array must not be empty")
            let eleven = "[" + Array(repeating: "\"\(a)\"", count: 11).joined(separator: ",") + "]"
            #expect(try await proxy.post("/mj/submit/upload-discord-images", #"{"base64Array":\#(eleven)}"#)["description"]?.stringValue == "at most 10 images")
        }
    }

    @Test func faceSwap() async throws {
        try await TestProxy.with { proxy in
            let missing = try await proxy.post("/mj/insight-face/swap", #"{"targetBase64":"\#(TestImages.png(seed: "t"))"}"#)
            #expect(missing["description"]?.stringValue == "sourceBase64 must not be empty")
            let answer = try await proxy.post(
                "/mj/insight-face/swap", #"{"sourceBase64":"\#(TestImages.png(seed: "face"))","targetBase64":"\#(TestImages.png(seed: "body"))"}"#)
            #expect(answer["code"]?.intValue == 1)
            let task = try await proxy.waitFinished(try #require(answer["result"]?.stringValue)).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["action"]?.stringValue == "SWAP_FACE")
            #expect(task["botType"]?.stringValue == "INSIGHT_FACE")
            _ = try await proxy.imageSize(task)
            // By URL: both images are downloaded when the task runs.
            let hosted = try await proxy.post(
                "/mj/submit/upload-discord-images", #"{"base64Array":["\#(TestImages.png(seed: "face2"))","\#(TestImages.png(seed: "body2"))"]}"#)
            let urls = (hosted["result"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(urls.count == 2)
            let byURL = try await proxy.post("/mj/insight-face/swap", #"{"sourceUrl":"\#(urls[0])","targetUrl":"\#(urls[1])"}"#)
            let urlTask = try await proxy.waitFinished(try #require(byURL["result"]?.stringValue)).task
            #expect(urlTask["status"]?.stringValue == "SUCCESS", "\(urlTask.compactString)")
            _ = try await proxy.imageSize(urlTask)
        }
    }

    @Test func nijiRunsOnTheNijiBot() async throws {
        try await TestProxy.with { proxy in
            let answer = try await proxy.post("/mj/submit/imagine", #"{"prompt":"anime fox --niji 6","botType":"NIJI_JOURNEY"}"#)
            let task = try await proxy.waitFinished(try #require(answer["result"]?.stringValue)).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["botType"]?.stringValue == "NIJI_JOURNEY")
            let u = try await proxy.act(task["id"]!.stringValue!, try proxy.button(task, "MJ::JOB::upsample::2::"))
            #expect(u["status"]?.stringValue == "SUCCESS")
            #expect(u["botType"]?.stringValue == "NIJI_JOURNEY")
        }
    }

    @Test func autoAppealLetsTheJobRun() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.autoAppeal = true
        }
        try await TestProxy.with(config) { proxy in
            await proxy.runtime.sandbox!.world.arm(.actionNeeded, forToken: TestProxy.token(1))
            let task = try await proxy.waitFinished(try await proxy.imagine("appeal me")).task
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["properties"]?["appealed"] == .bool(true))
        }
    }

    @Test func bannedWordsAreRefusedBeforeDiscord() async throws {
        let config = TestProxy.config { $0.bannedWords = ["nude", "blood bath"] }
        try await TestProxy.with(config) { proxy in
            let answer = try await proxy.request(.POST, "/mj/submit/imagine", body: #"{"prompt":"a Nude cat"}"#)
            #expect(answer.body == #"{"code":24,"description":"May contain sensitive words","result":null,"properties":{"promptEn":"a Nude cat","bannedWord":"Nude"}}"#)
            #expect(try await proxy.post("/mj/submit/imagine", #"{"prompt":"a nudes cat"}"#)["code"]?.intValue == 1)
        }
    }
}
