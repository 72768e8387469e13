import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ProxyCore

/// `GET /metrics`: the Prometheus text exposition of the process's registry.
///
/// Auth (README "Metrics"): with `metrics.secret` set, that secret (or the admin secret) is required;
/// without it, the API or the admin secret when either is configured (headers as for the API:
/// `Authorization: Bearer <s>`, which Prometheus' `authorization` scrape setting sends, `mj-api-secret`,
/// or a bare `Authorization`); with no secret configured at all the endpoint is open, like the API.
/// Compared in constant time. The exposition carries no secrets: labels are actions, statuses, route
/// templates, results and account ids.
public struct MetricsEndpoint: Sendable {
    /// `metrics.secret`; nil or empty = the API/admin secrets decide.
    public var secret: String?
    /// Updates the scrape-time gauges and returns the exposition text.
    public var scrape: @Sendable () async -> [UInt8]

    /// An endpoint serving what `scrape` returns.
    public init(secret: String?, scrape: @escaping @Sendable () async -> [UInt8]) {
        self.secret = secret
        self.scrape = scrape
    }

    /// The content type of the Prometheus text format 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Whether a request with `headers` may read the metrics under `configuration`'s secrets.
    func allows(_ headers: HTTPFields, _ configuration: APIConfiguration) -> Bool {
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let admin = nonEmpty(configuration.adminSecret)
        let accepted = nonEmpty(secret).map { [$0] + [admin].compactMap { $0 } } ?? [nonEmpty(configuration.apiSecret), admin].compactMap { $0 }
        guard !accepted.isEmpty else { return true }
        let presented = [SecretCheck.presented(headers), SecretCheck.presentedAdmin(headers)].compactMap { $0 }
        // Every pair is compared (no early exit), so timing tells nothing about which secret matched.
        var ok = false
        for p in presented {
            for a in accepted where SecretCheck.equal(p, a) { ok = true }
        }
        return ok
    }

    /// The route handler: 401 in the API's JSON form without the secret, else the exposition.
    func serve(_ r: RouteRequest, configuration: APIConfiguration) async -> Response {
        guard allows(r.request.headers, configuration) else {
            let text = Texts.text("U1", configuration.locale, [:]).replacingOccurrences(of: "[]", with: "")
            return APIResponder.json(["code": 401, "description": .string(text)], status: .unauthorized)
        }
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        let bytes = await scrape()
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
