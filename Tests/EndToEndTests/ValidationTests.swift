import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Every validation error answers the contract's code and text, never a 500.
@Suite struct ValidationTests {
    static let png1x1 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

    @Test func imagineValidation() async throws {
        try await TestProxy.with { proxy in
            let cases: [(String, String)] = [
                ("{not json", "request body must be a JSON object"),
                ("[1,2]", "request body must be a JSON object"),
                (#"{"prompt":"   "}"#, "prompt must not be empty"),
                (#"{}"#, "prompt must not be empty"),
                (#"{"prompt":42}"#, "prompt has the wrong type"),
                (#"{"prompt":"\#(String(repeating: "a", count: 8193))"}"#, "prompt must be at most 8192 characters"),
                (#"{"prompt":"cat","botType":"DALLE"}"#, "invalid botType"),
                (#"{"prompt":"cat","state":"\#(String(repeating: "s", count: 1025))"}"#, "state must be at most 1024 characters"),
                (#"{"prompt":"cat","notifyHook":"ftp://x"}"#, "notifyHook must be an http(s) URL"),
                (#"{"prompt":"cat","base64Array":["@@@"]}"#, "base64Array[0]: invalid base64"),
                (#"{"prompt":"cat","base64Array":["\#(Self.png1x1)","aGVsbG8gd29ybGQ="]}"#, "base64Array[1]: only PNG, JPEG, GIF and WEBP images are accepted"),
                (#"{"prompt":"cat","base64Array":"x"}"#, "base64Array has the wrong type"),
                (#"{"prompt":"cat","accountFilter":{"modes":["SLOW"]}}"#, "invalid accountFilter.modes"),
                (#"{"prompt":"cat","accountFilter":{"instanceId":"nobody"}}"#, "no account matches accountFilter"),
                (
                    #"{"prompt":"cat","base64Array":["\#(Self.png1x1)","\#(Self.png1x1)","\#(Self.png1x1)","\#(Self.png1x1)","\#(Self.png1x1)","\#(Self.png1x1)"]}"#,
                    "at most 5 images"
                ),
            ]
            for (body, description) in cases {
                let r = try await proxy.request(.POST, "/mj/submit/imagine", body: body)
                #expect(r.status == 200)
                let answer = try JSONValue.parse(r.body)
                #expect(answer["code"]?.intValue == 4, "\(body.prefix(60))")
                #expect(answer["description"]?.stringValue == description, "\(body.prefix(60)) → \(r.body)")
                #expect(answer["result"] == .null)
                #expect(r.body.hasPrefix(#"{"code":4,"description":"#))
            }
            // An image over 4 MB (valid PNG magic).
            var big = [UInt8]([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            big += [UInt8](repeating: 0, count: 4 * 1024 * 1024)
            let tooLarge = try await proxy.post("/mj/submit/imagine", #"{"prompt":"cat","base64":"\#(Data(big).base64EncodedString())"}"#)
            #expect(tooLarge["description"]?.stringValue == "base64Array[0]: image larger than 4 MB")
            // A valid data URL is accepted, whatever the Content-Type.
            let ok = try await proxy.request(
                .POST, "/mj/submit/imagine", body: #"{"Prompt":"cat","base64Array":["data:image/png;base64,\#(Self.png1x1)"]}"#,
                headers: [("Content-Type", "text/plain")])
            #expect(ok.body.contains(#""code":1"#) || ok.body.contains(#""code":22"#), "\(ok.body)")
        }
    }

    @Test func actionValidation() async throws {
        try await TestProxy.with { proxy in
            let parent = try await proxy.imagine("validation parent")
            // Parent not finished yet → V19 (checked right away while it runs).
            let early = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"MJ::JOB::upsample::1::x"}"#)
            #expect(early["description"]?.stringValue == "parent task status error")
            let (task, _) = try await proxy.waitFinished(parent)
            let hash = try #require(task["properties"]?["messageHash"]?.stringValue)
            let cases: [(String, String)] = [
                (#"{"customId":"MJ::JOB::upsample::1::\#(hash)"}"#, "taskId must not be empty"),
                (#"{"taskId":"\#(parent)"}"#, "customId must not be empty"),
                (#"{"taskId":"1111111111111111","customId":"MJ::JOB::upsample::1::\#(hash)"}"#, "parent task not found"),
                (#"{"taskId":"\#(parent)","customId":"MJ::BOOKMARK::\#(hash)"}"#, "unsupported customId: MJ::BOOKMARK::\(hash)"),
                (#"{"taskId":"\#(parent)","customId":"MJ::JOB::upsample::1::00000000-0000-0000-0000-000000000000"}"#, "customId does not belong to the task"),
                (#"{"taskId":\#(parent),"customId":true}"#, "customId has the wrong type"),
            ]
            for (body, description) in cases {
                let answer = try await proxy.post("/mj/submit/action", body)
                #expect(answer["code"]?.intValue == 4)
                #expect(answer["description"]?.stringValue == description, "\(body)")
            }
            // taskId as a JSON integer is accepted.
            let numeric = try await proxy.post("/mj/submit/action", #"{"taskId":\#(parent),"customId":"MJ::JOB::upsample::2::\#(hash)"}"#)
            #expect(numeric["code"]?.intValue == 1)
        }
    }

    @Test func taskRoutesAndErrors() async throws {
        try await TestProxy.with { proxy in
            let missing = try await proxy.request(.GET, "/mj/task/1234567890123456/fetch")
            #expect(missing.status == 404)
            #expect(missing.body == #"{"code":4,"description":"task not found"}"#)
            let badIds = try await proxy.request(.POST, "/mj/task/list-by-condition", body: #"{"ids":"x"}"#)
            #expect(badIds.status == 400)
            #expect(badIds.body.contains("ids must be an array of task ids"))
            let tooMany = "[" + (0..<1001).map { "\"\($0)\"" }.joined(separator: ",") + "]"
            let many = try await proxy.request(.POST, "/mj/task/list-by-condition", body: #"{"ids":\#(tooMany)}"#)
            #expect(many.status == 400)
            #expect(many.body.contains("at most 1000 ids per request"))
            let empty = try await proxy.request(.POST, "/mj/task/list-by-condition", body: "")
            #expect(empty.body == "[]")
            let unknown = try await proxy.request(.GET, "/mj/nothing")
            #expect(unknown.status == 404)
            let method = try await proxy.request(.GET, "/mj/submit/imagine")
            #expect(method.status == 405)
            #expect(method.body == #"{"code":405,"description":"method not allowed"}"#)
            let badLimit = try await proxy.request(.GET, "/mj/task/list?limit=abc")
            #expect(badLimit.status == 400)
            // Slashes collapse, a trailing slash is ignored, and mode prefixes reach the same handlers.
            let id = try await proxy.imagine("prefix check")
            let viaPrefix = try await proxy.request(.GET, "/mj-relax//mj/task/\(id)/fetch/")
            #expect(viaPrefix.status == 200)
            let relaxed = try await proxy.post("/mj-relax/mj/submit/imagine", #"{"prompt":"slow cat --fast"}"#)
            let relaxedId = try #require(relaxed["result"]?.stringValue)
            let relaxedTask = try await proxy.get("/mj/task/\(relaxedId)/fetch")
            #expect(relaxedTask["promptEn"]?.stringValue == "slow cat --relax")
            #expect(relaxedTask["mode"]?.stringValue == "RELAX")
            let health = try await proxy.request(.GET, "/health")
            #expect(health.body == #"{"status":"UP"}"#)
        }
    }
}
