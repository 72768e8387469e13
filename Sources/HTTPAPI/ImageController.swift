import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ProxyCore

/// `GET /mj/image/{taskId}/{name}` (contract §5.8): mirrored images behind signed links, no API
/// secret. A missing or wrong signature and a missing image answer 404, an expired link 403, all
/// as `{"code":…,"description":…}`.
struct ImageController: Sendable {
    let images: any ImageServing
    let configuration: APIConfiguration

    @Sendable func serve(_ r: RouteRequest) async throws -> Response {
        let query = r.request.uri.queryParameters
        let lookup = await images.image(
            taskId: r.parameters["taskId"] ?? "", name: r.parameters["name"] ?? "", expires: query.get("exp"), signature: query.get("sig"))
        switch lookup {
        case .image(let bytes, let contentType, let maxAge):
            var headers = HTTPFields()
            headers[.contentType] = contentType
            headers[.cacheControl] = "public, max-age=\(maxAge), immutable"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        case .notFound, .badSignature: return error(.notFound, 404, "I1")
        case .expired: return error(.forbidden, 403, "I2")
        case .unavailable: return error(.serviceUnavailable, 503, "I3")
        }
    }

    private func error(_ status: HTTPResponse.Status, _ code: Int64, _ key: String) -> Response {
        APIResponder.json(["code": .int(code), "description": .string(Texts.text(key, configuration.locale))], status: status)
    }
}
