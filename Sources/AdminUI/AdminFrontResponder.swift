import Foundation
import HTTPAPI
import Hummingbird

/// The HTTP application's responder: `/admin…` to the admin UI, everything else to the API.
public struct AdminFrontResponder: HTTPResponder {
    public typealias Context = BasicRequestContext
    let api: APIResponder
    let admin: AdminUI

    /// Routes between `admin` and `api`.
    public init(api: APIResponder, admin: AdminUI) {
        self.api = api
        self.admin = admin
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        // The API's requests pass with a look at the first path segment; only admin paths are split and decoded.
        guard Self.mayBeAdmin(path) else { return try await api.respond(to: request, context: context) }
        let segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard AdminUI.handles(segments) else { return try await api.respond(to: request, context: context) }
        // One metrics label for the whole UI (bounded; ids in admin paths never become labels).
        context.coreContext.endpointPath.value = "/admin"
        return await admin.respond(to: request, segments: segments)
    }

    /// Whether the first non-empty segment of `path` is `admin`, or could be once percent-decoded.
    static func mayBeAdmin(_ path: String) -> Bool {
        var bytes = path.utf8[...]
        while bytes.first == UInt8(ascii: "/") { bytes = bytes.dropFirst() }
        let segment = bytes.prefix { $0 != UInt8(ascii: "/") }
        return segment.elementsEqual("admin".utf8) || segment.contains(UInt8(ascii: "%"))
    }
}
