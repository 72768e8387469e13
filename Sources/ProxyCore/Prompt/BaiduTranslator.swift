import AsyncHTTPClient
import Crypto
import DiscordKit
import Foundation
import NIOCore
import NIOHTTP1

/// `PromptTranslator` over Baidu's general text translation API (`/api/trans/vip/translate`).
public struct BaiduTranslator: PromptTranslator {
    public let appId: String
    let appSecret: String
    public let endpoint: String
    /// Baidu language code of the source text (`zh`, or `auto` to let Baidu detect it).
    public let sourceLanguage: String
    public let timeout: Duration
    private let http: HTTPClient

    /// Creates a translator using `http`.
    public init(
        appId: String, appSecret: String, endpoint: String = "https://fanyi-api.baidu.com/api/trans/vip/translate",
        sourceLanguage: String = "zh", http: HTTPClient, timeout: Duration = .seconds(10)
    ) {
        self.appId = appId
        self.appSecret = appSecret
        self.endpoint = endpoint
        self.sourceLanguage = sourceLanguage
        self.http = http
        self.timeout = timeout
    }

    /// The request signature: lowercase hex MD5 of `appid + q + salt + secret` (UTF-8).
    public static func sign(appId: String, query: String, salt: String, secret: String) -> String {
        let digest = Insecure.MD5.hash(data: Data((appId + query + salt + secret).utf8))
        return TextFormat.hex(digest)
    }

    /// `application/x-www-form-urlencoded` encoding of `fields` (everything but unreserved characters percent-encoded).
    static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet()
        allowed.insert(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return fields.map { name, value in
            let v = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
            return "\(name)=\(v)"
        }.joined(separator: "&")
    }

    /// Baidu's answer: either `trans_result` or `error_code` + `error_msg`.
    struct Answer: Decodable {
        struct Result: Decodable {
            var src: String?
            var dst: String
        }
        var error_code: String?
        var error_msg: String?
        var trans_result: [Result]?

        enum CodingKeys: String, CodingKey {
            case error_code, error_msg, trans_result
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // `error_code` is documented as a string but some answers carry a number.
            if let s = try? c.decodeIfPresent(String.self, forKey: .error_code) {
                error_code = s
            } else if let n = try? c.decodeIfPresent(Int.self, forKey: .error_code) {
                error_code = String(n)
            } else {
                error_code = nil
            }
            error_msg = try? c.decodeIfPresent(String.self, forKey: .error_msg)
            trans_result = try c.decodeIfPresent([Result].self, forKey: .trans_result)
        }
    }

    /// Translates `text` (several lines give several results, joined with `\n`).
    public func translate(_ text: String) async throws -> String {
        let salt = String(UInt32.random(in: 10_000...UInt32.max))
        let body = Self.formEncode([
            ("q", text), ("from", sourceLanguage), ("to", "en"), ("appid", appId), ("salt", salt),
            ("sign", Self.sign(appId: appId, query: text, salt: salt, secret: appSecret)),
        ])
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: TimeAmount(timeout))
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let status = Int(response.status.code)
        let data = Data(buffer.readableBytesView)
        let answer = try? JSONDecoder().decode(Answer.self, from: data)
        if let answer, let code = answer.error_code, code != "52000" {
            throw TranslationError(provider: "baidu", code: code, message: answer.error_msg ?? "unknown error")
        }
        guard (200..<300).contains(status) else {
            throw TranslationError(provider: "baidu", code: String(status), message: "HTTP \(status): \(String(buffer: buffer).prefix(200))")
        }
        guard let results = answer?.trans_result, !results.isEmpty else {
            throw TranslationError(provider: "baidu", message: "unexpected answer: \(String(buffer: buffer).prefix(200))")
        }
        return results.map(\.dst).joined(separator: "\n")
    }
}
