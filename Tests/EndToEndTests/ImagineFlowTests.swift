import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// imagine → progress → grid → U1 / V1 / reroll, through HTTP against the sandbox.
@Suite struct ImagineFlowTests {
    static func expectPNG(_ proxy: TestProxy, _ url: String?) async throws -> (width: Int, height: Int) {
        let url = try #require(url)
        let image = try await proxy.download(url)
        #expect(image.status == 200)
        #expect(image.contentType == "image/png")
        #expect(image.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR width/height (big endian) follow the 8-byte signature and the chunk header.
        let b = image.bytes
        let w = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let h = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        return (w, h)
    }

    @Test func imagineThenUpscaleVariationAndReroll() async throws {
        try await TestProxy.with { proxy in
            let id = try await proxy.imagine("a lighthouse at dusk --ar 3:2", extra: #","state":"s-1""#)
            let (task, progress) = try await proxy.waitFinished(id)
            #expect(task["status"]?.stringValue == "SUCCESS")
            #expect(task["progress"]?.stringValue == "100%")
            #expect(task["failReason"]?.stringValue == "")
            #expect(task["state"]?.stringValue == "s-1")
            #expect(task["action"]?.stringValue == "IMAGINE")
            #expect(task["description"]?.stringValue == "/imagine a lighthouse at dusk --ar 3:2")
            // Progress climbs through at least two intermediate values before 100%.
            let intermediate = progress.filter { $0 != "0%" && $0 != "100%" }
            #expect(intermediate.count >= 2, "progress seen: \(progress)")
            let percents = progress.compactMap { Int($0.dropLast()) }
            #expect(percents == percents.sorted())
            let grid = try await Self.expectPNG(proxy, task["imageUrl"]?.stringValue)
            #expect(grid.width > grid.height)  // --ar 3:2
            let buttons = try #require(task["buttons"]?.arrayValue)
            let ids = buttons.compactMap { $0["customId"]?.stringValue }
            let hash = try #require(task["properties"]?["messageHash"]?.stringValue)
            #expect(ids.contains("MJ::JOB::upsample::1::\(hash)"))
            #expect(ids.contains("MJ::JOB::variation::1::\(hash)"))
            #expect(ids.contains("MJ::JOB::reroll::0::\(hash)::SOLO"))
            #expect(task["properties"]?["finalPrompt"]?.stringValue == "a lighthouse at dusk --ar 3:2")

            // U1: the quadrant as one image, with the upscale button set.
            let u1 = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(id)","customId":"MJ::JOB::upsample::1::\#(hash)"}"#)
            #expect(u1["code"]?.intValue == 1)
            let upId = try #require(u1["result"]?.stringValue)
            let (up, _) = try await proxy.waitFinished(upId)
            #expect(up["status"]?.stringValue == "SUCCESS")
            #expect(up["action"]?.stringValue == "UPSCALE")
            #expect(up["parentId"]?.stringValue == id)
            #expect(up["description"]?.stringValue == "/up \(id) U1")
            #expect(up["prompt"]?.stringValue == "a lighthouse at dusk --ar 3:2")
            let single = try await Self.expectPNG(proxy, up["imageUrl"]?.stringValue)
            #expect(single.width * 2 == grid.width && single.height * 2 == grid.height)
            let upButtons = (up["buttons"]?.arrayValue ?? []).compactMap { $0["customId"]?.stringValue }
            #expect(upButtons.contains { $0.hasPrefix("MJ::JOB::high_variation::1::") })
            #expect(upButtons.contains { $0.hasPrefix("MJ::Outpaint::50::1::") })

            // V1 and reroll: new grids.
            for (customId, action) in [("MJ::JOB::variation::1::\(hash)", "VARIATION"), ("MJ::JOB::reroll::0::\(hash)::SOLO", "REROLL")] {
                let answer = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(id)","customId":"\#(customId)"}"#)
                let childId = try #require(answer["result"]?.stringValue, "\(answer.compactString)")
                let (child, _) = try await proxy.waitFinished(childId)
                #expect(child["status"]?.stringValue == "SUCCESS", "\(child.compactString)")
                #expect(child["action"]?.stringValue == action)
                let size = try await Self.expectPNG(proxy, child["imageUrl"]?.stringValue)
                #expect(size.width == grid.width)
                #expect(child["properties"]?["messageHash"]?.stringValue != hash)
                #expect((child["buttons"]?.arrayValue ?? []).count == 9)
            }
        }
    }

    @Test func taskJSONHasEveryContractKeyInOrder() async throws {
        try await TestProxy.with { proxy in
            let id = try await proxy.imagine("key order check")
            let raw = try await proxy.request(.GET, "/mj/task/\(id)/fetch")
            #expect(raw.headers.first(name: "Content-Type") == "application/json")
            let keys = [
                "id", "action", "customId", "parentId", "botType", "mode", "status", "prompt", "promptEn", "description", "state",
                "submitTime", "startTime", "finishTime", "imageUrl", "progress", "failReason", "properties", "buttons",
            ]
            var last = raw.body.startIndex
            for key in keys {
                let range = try #require(raw.body.range(of: "\"\(key)\":", range: last..<raw.body.endIndex), "missing \(key)")
                last = range.upperBound
            }
            #expect(!raw.body.contains(": "))
            #expect(raw.body.contains("\"id\":\"\(id)\""))
            _ = try await proxy.waitFinished(id)
            // list-by-condition returns only the requested ids, in request order, as a bare array.
            let second = try await proxy.imagine("another one")
            let list = try await proxy.post("/mj/task/list-by-condition", #"{"ids":["\#(second)","0000000000000000",\#(id),"\#(second)"]}"#)
            #expect(list.arrayValue?.map { $0["id"]?.stringValue } == [second, id])
        }
    }
}

/// Reference images go through the 3-step upload and are prepended to the prompt as CDN URLs.
@Suite struct ReferenceImageTests {
    @Test func imagineWithReferenceImage() async throws {
        try await TestProxy.with { proxy in
            let answer = try await proxy.post(
                "/mj/submit/imagine", #"{"prompt":"a cat like this","base64Array":["data:image/png;base64,\#(ValidationTests.png1x1)"]}"#)
            let id = try #require(answer["result"]?.stringValue, "\(answer.compactString)")
            let (task, _) = try await proxy.waitFinished(id)
            #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
            #expect(task["prompt"]?.stringValue == "a cat like this")
            let promptEn = try #require(task["promptEn"]?.stringValue)
            let url = try #require(promptEn.split(separator: " ").first.map(String.init))
            #expect(promptEn.hasSuffix(" a cat like this"))
            // The uploaded reference is served back by the (sandbox) CDN, byte for byte.
            let image = try await proxy.download(url)
            #expect(image.status == 200)
            #expect(Data(image.bytes).base64EncodedString() == ValidationTests.png1x1)
        }
    }
}
