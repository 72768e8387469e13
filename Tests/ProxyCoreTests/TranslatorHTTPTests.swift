import AsyncHTTPClient
import Crypto
import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import ProxyCore
import ServiceLifecycle
import Testing

/// The translators against local fakes of Baidu's and OpenAI's HTTP APIs.
@Suite struct TranslatorHTTPTests {
    static let dictionary = ["一只猫": "a cat", "一只狗": "a dog", "红色的花": "red flowers", "在草地上": "on the grass"]

    // MARK: - Fake servers

    /// Runs a Hummingbird app with `router` on a free local port while `body` runs with that port, then
    /// stops it gracefully (cancelling a Hummingbird server can trap in NIO if a connection comes in meanwhile).
    func withServer(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        let port = Locked<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        var configuration = ServiceGroupConfiguration(services: [app], logger: Logger(label: "test.fake-translator"))
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        let services = ServiceGroup(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            let outcome: Result<Void, any Error>
            do {
                let deadline = ContinuousClock.now + .seconds(10)
                while port.value == nil {
                    guard ContinuousClock.now < deadline else { throw TranslationError(provider: "test", message: "fake server did not start") }
                    try await Task.sleep(for: .milliseconds(10))
                }
                outcome = .success(try await body(port.value!))
            } catch {
                outcome = .failure(error)
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            try outcome.get()
        }
    }

    /// Runs `body` with an HTTP client that is always shut down.
    func withHTTPClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(http)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// A JSON response.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `application/x-www-form-urlencoded` fields (`+` is a space).
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Requests seen by a fake.
    final class Seen: Sendable {
        let requests = Locked<[[String: String]]>([])
        func record(_ r: [String: String]) { requests.withLock { $0.append(r) } }
    }

    struct BaiduResult: Encodable {
        var src: String
        var dst: String
    }

    struct BaiduAnswer: Encodable {
        var from: String
        var to: String
        var trans_result: [BaiduResult]
    }

    /// A fake of `POST /api/trans/vip/translate`: checks the fields and the MD5 sign like Baidu does.
    static func baiduRouter(appId: String, secret: String, seen: Seen) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/trans/vip/translate") { request, _ -> Response in
            var fields = Self.formFields(String(buffer: try await request.body.collect(upTo: 1 << 20)))
            fields["content-type"] = request.headers[.contentType] ?? ""
            seen.record(fields)
            guard let q = fields["q"], !q.isEmpty, let from = fields["from"], let to = fields["to"], let salt = fields["salt"],
                let sign = fields["sign"], let appid = fields["appid"]
            else {
                return Self.json(#"{"error_code":"54000","error_msg":"PARAM_FROM_TO_OR_Q_EMPTY"}"#)
            }
            guard appid == appId else { return Self.json(#"{"error_code":"52003","error_msg":"UNAUTHORIZED USER"}"#) }
            let expected = Insecure.MD5.hash(data: Data((appid + q + salt + secret).utf8)).map { String(format: "%02x", $0) }.joined()
            guard sign == expected else { return Self.json(#"{"error_code":"54001","error_msg":"Invalid Sign"}"#) }
            guard to == "en", from == "zh" || from == "auto" else { return Self.json(#"{"error_code":"58001","error_msg":"INVALID_TO_PARAM"}"#) }
            let results = q.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                BaiduResult(src: String(line), dst: Self.dictionary[String(line)] ?? "[\(line)]")
            }
            let answer = BaiduAnswer(from: "zh", to: "en", trans_result: results)
            return Self.json(String(decoding: try JSONEncoder().encode(answer), as: UTF8.self))
        }
        return router
    }

    struct ChatRequest: Decodable {
        struct Message: Decodable {
            var role: String
            var content: String
        }
        var model: String
        var temperature: Double?
        var messages: [Message]
    }

    /// A fake of `POST /v1/chat/completions`: checks the Bearer key and the request JSON.
    static func openAIRouter(apiKey: String, seen: Seen) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let auth = request.headers[.authorization] ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            guard auth == "Bearer \(apiKey)" else {
                let shown = auth.replacingOccurrences(of: "Bearer ", with: "")
                return Self.json(
                    #"{"error":{"message":"Incorrect API key provided: \#(shown). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
                    status: .unauthorized)
            }
            guard let chat = try? JSONDecoder().decode(ChatRequest.self, from: Data(body.readableBytesView)) else {
                return Self.json(
                    #"{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error","param":null,"code":null}}"#,
                    status: .badRequest)
            }
            seen.record([
                "model": chat.model, "temperature": chat.temperature.map { String($0) } ?? "",
                "roles": chat.messages.map(\.role).joined(separator: ","), "system": chat.messages.first?.content ?? "",
                "user": chat.messages.last?.content ?? "", "content-type": request.headers[.contentType] ?? "",
            ])
            guard chat.model == "gpt-4o-mini", chat.messages.count == 2, chat.messages[0].role == "system", chat.messages[1].role == "user" else {
                return Self.json(
                    #"{"error":{"message":"The model `\#(chat.model)` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
                    status: .notFound)
            }
            let user = chat.messages[1].content
            let translated = Self.dictionary[user] ?? "[\(user)]"
            // Models often pad their answers; the translator trims them.
            let content = String(decoding: try JSONEncoder().encode(" \(translated)\n"), as: UTF8.self)
            return Self.json(
                """
                {"id":"chatcmpl-9xTest","object":"chat.completion","created":1732512345,"model":"gpt-4o-mini-2024-07-18",\
                "choices":[{"index":0,"message":{"role":"assistant","content":\(content),"refusal":null},"logprobs":null,"finish_reason":"stop"}],\
                "usage":{"prompt_tokens":41,"completion_tokens":3,"total_tokens":44},"system_fingerprint":"fp_0ba0d124f1"}
                """)
        }
        return router
    }

    // MARK: - Baidu

    @Test func baiduSignIsLowercaseHexMD5() {
        // MD5("2015063000000001apple143566028812345678") from Baidu's documentation example.
        #expect(
            BaiduTranslator.sign(appId: "2015063000000001", query: "apple", salt: "1435660288", secret: "12345678")
                == "f89f9594663708c1605f3d736d01d2d4")
    }

    @Test func baiduTranslatesAndSignsCorrectly() async throws {
        let seen = Seen()
        try await withServer(Self.baiduRouter(appId: "test-app", secret: "s3cret", seen: seen)) { port in
            try await withHTTPClient { http in
                let baidu = BaiduTranslator(
                    appId: "test-app", appSecret: "s3cret", endpoint: "http://127.0.0.1:\(port)/api/trans/vip/translate", http: http)
                let got1 = try await baidu.translate("一只猫")
                #expect(got1 == "a cat")
                // Several lines: several results, joined with newlines. Characters that need escaping survive the form encoding.
                let got2 = try await baidu.translate("一只狗\n红色的花")
                #expect(got2 == "a dog\nred flowers")
                let got3 = try await baidu.translate("a+b & c=d 100%")
                #expect(got3 == "[a+b & c=d 100%]")
            }
        }
        let requests = seen.requests.value
        #expect(requests.count == 3)
        #expect(requests.first?["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
        #expect(requests.first?["to"] == "en")
        #expect(requests.first?["appid"] == "test-app")
        #expect(requests.first?["q"] == "一只猫")
    }

    @Test func baiduWrongSecretThrowsTheErrorCode() async throws {
        try await withServer(Self.baiduRouter(appId: "test-app", secret: "s3cret", seen: Seen())) { port in
            try await withHTTPClient { http in
                let endpoint = "http://127.0.0.1:\(port)/api/trans/vip/translate"
                let wrongSecret = BaiduTranslator(appId: "test-app", appSecret: "wrong", endpoint: endpoint, http: http)
                let error = await #expect(throws: TranslationError.self) { try await wrongSecret.translate("一只猫") }
                #expect(error?.code == "54001")
                #expect(error?.message == "Invalid Sign")
                let described4 = String(describing: try #require(error))
                #expect(described4.contains("54001"))
                #expect(error?.description.contains("Invalid Sign") == true)

                let wrongApp = BaiduTranslator(appId: "other-app", appSecret: "s3cret", endpoint: endpoint, http: http)
                let error2 = await #expect(throws: TranslationError.self) { try await wrongApp.translate("一只猫") }
                #expect(error2?.code == "52003")
                #expect(error2?.description.contains("UNAUTHORIZED USER") == true)
            }
        }
    }

    @Test func baiduEndToEndPromptTranslation() async throws {
        let seen = Seen()
        try await withServer(Self.baiduRouter(appId: "test-app", secret: "s3cret", seen: seen)) { port in
            try await withHTTPClient { http in
                let baidu = BaiduTranslator(
                    appId: "test-app", appSecret: "s3cret", endpoint: "http://127.0.0.1:\(port)/api/trans/vip/translate", http: http)
                let out = try await PromptTranslation.translatePrompt(
                    "https://x.y/a.png 一只猫::2 一只狗::-0.5 --ar 16:9 --no 红色", using: baidu)
                #expect(out == "https://x.y/a.png a cat::2 a dog::-0.5 --ar 16:9 --no 红色")
                let got5 = try await PromptTranslation.translatePrompt("a cat --no 红色", using: baidu)
                #expect(got5 == "a cat --no 红色")
            }
        }
        #expect(seen.requests.value.compactMap { $0["q"] } == ["一只猫", "一只狗"])
    }

    // MARK: - OpenAI

    @Test func openAITranslatesWithTheChatAPI() async throws {
        let seen = Seen()
        try await withServer(Self.openAIRouter(apiKey: "sk-test", seen: seen)) { port in
            try await withHTTPClient { http in
                // A trailing slash on the base URL is tolerated.
                let openAI = OpenAITranslator(baseURL: "http://127.0.0.1:\(port)/v1/", apiKey: "sk-test", http: http)
                let got6 = try await openAI.translate("一只猫")
                #expect(got6 == "a cat")
                let got7 = try await openAI.translate("红色的花")
                #expect(got7 == "red flowers")
            }
        }
        let first = try #require(seen.requests.value.first)
        #expect(first["model"] == "gpt-4o-mini")
        #expect(first["temperature"] == "0.0")
        #expect(first["roles"] == "system,user")
        #expect(first["system"] == OpenAITranslator.systemPrompt)
        #expect(first["user"] == "一只猫")
        #expect(first["content-type"]?.hasPrefix("application/json") == true)
    }

    @Test func openAIWrongKeyThrowsTheMessage() async throws {
        try await withServer(Self.openAIRouter(apiKey: "sk-test", seen: Seen())) { port in
            try await withHTTPClient { http in
                let openAI = OpenAITranslator(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "sk-wrong", http: http)
                let error = await #expect(throws: TranslationError.self) { try await openAI.translate("一只猫") }
                #expect(error?.code == "invalid_api_key")
                #expect(error?.message.contains("Incorrect API key provided: sk-wrong") == true)
                #expect(error?.description.contains("Incorrect API key") == true)

                let unknownModel = OpenAITranslator(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "sk-test", model: "gpt-nope", http: http)
                let error2 = await #expect(throws: TranslationError.self) { try await unknownModel.translate("一只猫") }
                #expect(error2?.message.contains("gpt-nope") == true)
            }
        }
    }

    @Test func openAIEndToEndPromptTranslation() async throws {
        let seen = Seen()
        try await withServer(Self.openAIRouter(apiKey: "sk-test", seen: seen)) { port in
            try await withHTTPClient { http in
                let openAI = OpenAITranslator(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "sk-test", http: http)
                let out = try await PromptTranslation.translatePrompt("<https://x.y/a.png> 红色的花 在草地上::1.5 --v 6.1", using: openAI)
                #expect(out == "<https://x.y/a.png> [红色的花 在草地上]::1.5 --v 6.1")
                let out2 = try await PromptTranslation.translatePrompt("一只猫 https://x.y/b.png 一只狗 --ar 3:2", using: openAI)
                #expect(out2 == "a cat https://x.y/b.png a dog --ar 3:2")
            }
        }
        #expect(seen.requests.value.compactMap { $0["user"] } == ["红色的花 在草地上", "一只猫", "一只狗"])
    }
}
