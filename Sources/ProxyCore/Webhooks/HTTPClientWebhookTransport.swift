import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A `WebhookTransport` straight over AsyncHTTPClient, without the outbound policy (tests and
/// trusted targets). Redirects are not followed: a 3xx is a failed delivery (contract §9).
public struct HTTPClientWebhookTransport: WebhookTransport {
    let http: HTTPClient

    /// Creates a transport over `http` (which must not follow redirects).
    public init(http: HTTPClient) { self.http = http }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .milliseconds(timeout.milliseconds))
        _ = try? await response.body.collect(upTo: 64 << 10)
        return Int(response.status.code)
    }
}
