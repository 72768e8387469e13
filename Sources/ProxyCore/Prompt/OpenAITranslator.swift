import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `PromptTranslator` over any OpenAI-compatible chat completions API (`POST {baseURL}/chat/completions`).
public struct OpenAITranslator: PromptTranslator {
    /// The instruction sent as the system message.
    public static let systemPrompt = "Translate the user's text to English for an image-generation prompt. Reply with the translation only."

    public let baseURL: String
    let apiKey: String
    public let model: String
    public let timeout: Duration
    private let http: HTTPClient

    /// Creates a translator using `http`.
    public init(
        baseURL: String = "https://api.openai.com/v1", apiKey: String, model: String = "gpt-4o-mini", http: HTTPClient,
        timeout: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.http = http
        self.timeout = timeout
    }

    /// The request body.
    struct ChatRequest: Encodable {
        struct Message: Codable {
            var role: String
            var content: String
        }
        var model: String
        var temperature: Double
        var messages: [Message]
    }

    /// The parts of a `chat.completion` (or an error body) that are read.
    struct ChatResponse: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
            }
            var message: Message?
        }
        struct APIError: Decodable {
            var message: String?
            var type: String?
            var code: String?

            enum CodingKeys: String, CodingKey {
                case message, type, code
            }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                message = try? c.decodeIfPresent(String.self, forKey: .message)
                type = try? c.decodeIfPresent(String.self, forKey: .type)
                // `code` is a string on OpenAI, a number on some compatible servers.
                if let s = try? c.decodeIfPresent(String.self, forKey: .code) {
                    code = s
                } else if let n = try? c.decodeIfPresent(Int.self, forKey: .code) {
                    code = String(n)
                } else {
                    code = nil
                }
            }
        }
        var choices: [Choice]?
        var error: APIError?
    }

    /// `{baseURL}/chat/completions`, tolerating a trailing slash on the base.
    var completionsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// Translates `text` with one chat completion at temperature 0.
    public func translate(_ text: String) async throws -> String {
        let body = ChatRequest(
            model: model, temperature: 0,
            messages: [.init(role: "system", content: Self.systemPrompt), .init(role: "user", content: text)])
        var request = HTTPClientRequest(url: completionsURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await http.execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let status = Int(response.status.code)
        let decoded = try? JSONDecoder().decode(ChatResponse.self, from: Data(buffer.readableBytesView))
        if let error = decoded?.error {
            throw TranslationError(
                provider: "openai", code: error.code ?? error.type ?? String(status), message: error.message ?? "unknown error")
        }
        guard (200..<300).contains(status) else {
            throw TranslationError(provider: "openai", code: String(status), message: "HTTP \(status): \(String(buffer: buffer).prefix(200))")
        }
        guard let content = decoded?.choices?.first?.message?.content?.trimmingCharacters(in: .whitespacesAndNewlines), !content.isEmpty else {
            throw TranslationError(provider: "openai", message: "no translation in answer: \(String(buffer: buffer).prefix(200))")
        }
        return content
    }
}
