import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// HTTP plumbing of the admin UI: cookies, `application/x-www-form-urlencoded` bodies, HTML
/// answers with a strict content-security policy, redirects, and reading an API answer's JSON.
enum AdminHTTP {
    static let sessionCookie = "mjadmin_session"
    static let languageCookie = "mjadmin_lang"

    /// The request's cookies by name (the first of a repeated name wins).
    static func cookies(_ headers: HTTPFields) -> [String: String] {
        var out: [String: String] = [:]
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if out[name] == nil { out[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return out
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/admin`; `maxAge` 0 deletes it.
    static func setCookie(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=/admin", "HttpOnly", "SameSite=Strict"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The fields of a form body (`+` is a space, percent escapes decoded; the first of a repeated name wins).
    static func form(_ bytes: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        let text = String(decoding: bytes, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            if out[name] == nil { out[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }

    /// An HTML page; `nonce` is the only inline script allowed to run.
    static func html(_ body: String, status: HTTPResponse.Status = .ok, nonce: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; img-src 'self' http: https: data:; style-src 'self' 'unsafe-inline'; script-src 'nonce-\(nonce)'; "
            + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 to `location` (after a POST: the browser GETs the next page).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// The whole body of an API answer (the answers the UI reads are small JSON documents).
    static func collect(_ response: Response) async -> [UInt8] {
        let sink = BodySink()
        try? await response.body.write(sink)
        return sink.bytes
    }

    /// An API answer as JSON (nil when it is not JSON).
    static func json(_ response: Response) async -> JSONValue? {
        try? JSONValue.parse(await collect(response))
    }

    /// Percent-encodes a path segment or query value.
    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}

/// Collects a response body in memory (a final class so the writer, a value, can hand it back).
final class BodySink: ResponseBodyWriter, Sendable {
    private let buffer = Locked<[UInt8]>([])

    var bytes: [UInt8] { buffer.value }

    func write(_ buffer: ByteBuffer) async throws { self.buffer.withLock { $0 += buffer.readableBytesView } }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
