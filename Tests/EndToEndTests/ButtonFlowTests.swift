import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Testing

@testable import MJProxy
@testable import Sandbox

/// Every button of an upscaled image, through the API against the sandbox bot.
@Suite struct ButtonFlowTests {
    @Test func upscaleButtonsProduceTheirImages() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("buttons test --ar 1:1")).task
            let u1 = try await proxy.act(grid["id"]!.stringValue!, try proxy.button(grid, "MJ::JOB::upsample::1::"))
            let (uw, uh) = try await proxy.imageSize(u1)
            let parent = try #require(u1["id"]?.stringValue)
            let cases: [(String, String, (Int, Int) -> Bool)] = [
                ("MJ::JOB::upsample_v6_2x_subtle::", "UPSCALE", { w, h in w == uw * 2 && h == uh * 2 }),
                ("MJ::JOB::upsample_v6_2x_creative::", "UPSCALE", { w, _ in w == uw * 2 }),
                ("MJ::JOB::high_variation::", "HIGH_VARIATION", { w, _ in w == uw * 2 }),
                ("MJ::JOB::low_variation::", "LOW_VARIATION", { w, _ in w == uw * 2 }),
                ("MJ::Outpaint::50::", "ZOOM", { w, h in w == uw * 2 && h == uh * 2 }),
                ("MJ::Outpaint::75::", "ZOOM", { w, _ in w == uw * 2 }),
                ("MJ::JOB::pan_left::", "PAN", { w, h in w == uw * 3 && h == uh * 2 }),
                ("MJ::JOB::pan_up::", "PAN", { w, h in w == uw * 2 && h == uh * 3 }),
                ("MJ::JOB::pan_right::", "PAN", { w, h in w == uw * 3 && h == uh * 2 }),
                ("MJ::JOB::pan_down::", "PAN", { w, h in w == uw * 2 && h == uh * 3 }),
            ]
            for (prefix, action, sizeOK) in cases {
                let child = try await proxy.act(parent, try proxy.button(u1, prefix))
                #expect(child["status"]?.stringValue == "SUCCESS", "\(prefix): \(child.compactString)")
                #expect(child["action"]?.stringValue == action, "\(prefix)")
                let (w, h) = try await proxy.imageSize(child)
                #expect(sizeOK(w, h), "\(prefix): \(w)x\(h) from \(uw)x\(uh)")
                let buttonCount = child["buttons"]?.arrayValue?.count ?? 0
                #expect(buttonCount > 0)
                #expect(child["parentId"]?.stringValue == parent)
            }
        }
    }

    @Test func makeSquareOnAWideImage() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("wide view --ar 3:2")).task
            let u1 = try await proxy.act(grid["id"]!.stringValue!, try proxy.button(grid, "MJ::JOB::upsample::1::"))
            let (uw, uh) = try await proxy.imageSize(u1)
            #expect(uw > uh)
            let square = try await proxy.act(u1["id"]!.stringValue!, try proxy.button(u1, "MJ::Outpaint::100::"))
            #expect(square["action"]?.stringValue == "ZOOM")
            let (w, h) = try await proxy.imageSize(square)
            #expect(w == h)
        }
    }

    @Test func remixAutoSubmitAnswersTheModalItself() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.sandboxRemixAutoSubmit = true
        }
        try await TestProxy.with(config) { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("auto remix")).task
            let sandbox = try #require(proxy.runtime.sandbox)
            let user = try #require(await sandbox.world.user(forToken: TestProxy.token(1)))
            await sandbox.bot.setSettings(userId: user.id, botId: SandboxIDs.midjourney, remix: true, mode: nil)
            let account = try #require(await proxy.runtime.pool.all.first)
            await account.syncSettings()
            // remixAutoConsidered: an auto-submitting account does not count as remix.
            let filtered = try await proxy.post(
                "/mj/submit/imagine", #"{"prompt":"x","accountFilter":{"remix":true,"remixAutoConsidered":true}}"#)
            #expect(filtered["description"]?.stringValue == "no account matches accountFilter")
            let v = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(grid["id"]!.stringValue!)","customId":"\#(try proxy.button(grid, "MJ::JOB::variation::3::"))"}"#)
            #expect(v["code"]?.intValue == 1)
            let done = try await proxy.waitFinished(try #require(v["result"]?.stringValue)).task
            #expect(done["status"]?.stringValue == "SUCCESS", "\(done.compactString)")
            #expect((done["properties"]?["messageContent"]?.stringValue ?? "").contains("Remix (Strong) by"))
        }
    }

    @Test func customZoomAndVaryRegionGoThroughTheModal() async throws {
        try await TestProxy.with { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("modal test")).task
            let u1 = try await proxy.act(grid["id"]!.stringValue!, try proxy.button(grid, "MJ::JOB::upsample::1::"))
            let parent = try #require(u1["id"]?.stringValue)
            // Custom zoom: code 21, a MODAL task, then /submit/modal with a --zoom prompt.
            let zoom = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(try proxy.button(u1, "MJ::CustomZoom::"))"}"#)
            #expect(zoom["code"]?.intValue == 21)
            #expect(zoom["description"]?.stringValue == "Waiting for window confirm")
            #expect(zoom["properties"]?["finalPrompt"]?.stringValue == "modal test")
            #expect(zoom["properties"]?["status"] == nil)
            let zoomId = try #require(zoom["result"]?.stringValue)
            #expect(try await proxy.get("/mj/task/\(zoomId)/fetch")["status"]?.stringValue == "MODAL")
            let bad = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)","prompt":"modal test --zoom 3"}"#)
            #expect(bad["description"]?.stringValue == "prompt must contain --zoom between 1 and 2")
            let submitted = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)","prompt":"modal test --zoom 1.5"}"#)
            #expect(submitted["code"]?.intValue == 1)
            #expect(submitted["result"]?.stringValue == zoomId)
            let zoomed = try await proxy.waitFinished(zoomId).task
            #expect(zoomed["status"]?.stringValue == "SUCCESS", "\(zoomed.compactString)")
            #expect(zoomed["action"]?.stringValue == "CUSTOM_ZOOM")
            #expect(zoomed["prompt"]?.stringValue == "modal test --zoom 1.5")
            _ = try await proxy.imageSize(zoomed)
            let again = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)"}"#)
            #expect(again["description"]?.stringValue == "task is not waiting for modal input")

            // Vary (Region): the mask goes through the activity's submit-job.
            let region = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(try proxy.button(u1, "MJ::Inpaint::"))"}"#)
            #expect(region["code"]?.intValue == 21)
            let regionId = try #require(region["result"]?.stringValue)
            let noMask = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(regionId)","prompt":"a red door"}"#)
            #expect(noMask["description"]?.stringValue == "maskBase64 must not be empty")
            let jpegMask = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(regionId)","maskBase64":"/9j/4AAQSkZJRgABAQ=="}"#)
            #expect(jpegMask["description"]?.stringValue == "maskBase64: only PNG, JPEG, GIF and WEBP images are accepted")
            let ok = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(regionId)","prompt":"a red door","maskBase64":"\#(TestImages.mask())"}"#)
            #expect(ok["code"]?.intValue == 1)
            let painted = try await proxy.waitFinished(regionId).task
            #expect(painted["status"]?.stringValue == "SUCCESS", "\(painted.compactString)")
            #expect(painted["action"]?.stringValue == "INPAINT")
            #expect((painted["buttons"]?.arrayValue ?? []).count == 9)
        }
    }

    @Test func remixOpensAModalAndUsesTheNewPrompt() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let grid = try await proxy.waitFinished(try await proxy.imagine("remix cat")).task
            let sandbox = try #require(proxy.runtime.sandbox)
            let user = try #require(await sandbox.world.user(forToken: TestProxy.token(1)))
            await sandbox.bot.setSettings(userId: user.id, botId: SandboxIDs.midjourney, remix: true, mode: nil)
            let account = try #require(await proxy.runtime.pool.all.first)
            await account.syncSettings()
            #expect(await account.remixOn(.midJourney))
            let v1 = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(grid["id"]!.stringValue!)","customId":"\#(try proxy.button(grid, "MJ::JOB::variation::1::"))"}"#)
            #expect(v1["code"]?.intValue == 21)
            #expect(v1["properties"]?["remix"] == .bool(true))
            let id = try #require(v1["result"]?.stringValue)
            _ = try await proxy.post("/mj/submit/modal", #"{"taskId":"\#(id)","prompt":"remix dog"}"#)
            let done = try await proxy.waitFinished(id).task
            #expect(done["status"]?.stringValue == "SUCCESS", "\(done.compactString)")
            #expect(done["properties"]?["finalPrompt"]?.stringValue == "remix dog")
            // change never answers 21: the remix modal is answered with the parent prompt.
            let change = try await proxy.post("/mj/submit/change", #"{"taskId":"\#(grid["id"]!.stringValue!)","action":"VARIATION","index":2}"#)
            #expect(change["code"]?.intValue == 1)
            let changed = try await proxy.waitFinished(try #require(change["result"]?.stringValue)).task
            #expect(changed["status"]?.stringValue == "SUCCESS", "\(changed.compactString)")
            #expect(changed["properties"]?["finalPrompt"]?.stringValue == "remix cat")
        }
    }
}
