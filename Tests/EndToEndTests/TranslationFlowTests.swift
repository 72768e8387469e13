import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ProxyCore
import Testing

@testable import MJProxy

/// Chinese prompts are translated through an OpenAI-compatible API (a local fake, real HTTP and
/// real request/response shapes); parameters stay untouched.
@Suite struct TranslationFlowTests {
    @Test func chinesePromptIsTranslatedBeforeDiscord() async throws {
        let calls = Locked(0)
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            calls.withLock { $0 += 1 }
            let body = try JSONValue.parse(Data(try await request.body.collect(upTo: 1 << 20).readableBytesView))
            guard request.headers[.authorization] == "Bearer test-key", body["model"]?.stringValue == "mini" else {
                return Response(status: .unauthorized)
            }
            let text = body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            let translated = text.replacingOccurrences(of: "一只猫", with: "a cat")
            let answer: JSONValue = [
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "mini",
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(translated)], "finish_reason": "stop"]],
            ]
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.compactString)))
        }
        try await withLocalServer(router) { port in
            let config = TestProxy.config {
                $0.translateWay = "openai"
                $0.openaiBaseURL = "http://127.0.0.1:\(port)/v1"
                $0.openaiAPIKey = "test-key"
                $0.openaiModel = "mini"
            }
            try await TestProxy.with(config) { proxy in
                let id = try await proxy.imagine("一只猫 --ar 16:9")
                let task = try await proxy.waitFinished(id).task
                #expect(task["prompt"]?.stringValue == "一只猫 --ar 16:9")
                #expect(task["promptEn"]?.stringValue == "a cat --ar 16:9")
                #expect(task["status"]?.stringValue == "SUCCESS")
                // English prompts are not sent to the translator at all.
                let plain = try await proxy.get("/mj/task/\(try await proxy.imagine("a dog"))/fetch")
                #expect(plain["promptEn"]?.stringValue == "a dog")
                #expect(calls.value == 1)
            }
        }
    }
}
