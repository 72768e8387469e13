import HTTPTypes
import Hummingbird
import NIOCore

extension OpenAPIRoute {
    /// The document's view of a route of the table.
    init(_ route: APIResponder.Route) {
        self.init(method: route.method, path: "/" + route.segments.joined(separator: "/"), auth: route.auth)
    }
}

extension APIResponder {
    /// The routes that serve the document itself (added after it is built from the others).
    static let openAPIRoutes = [
        OpenAPIRoute(method: .get, path: "/openapi.json", auth: .open), OpenAPIRoute(method: .get, path: "/openapi.yaml", auth: .open),
    ]

    /// The document of `routes` plus its own two routes.
    static func openAPIDocument(_ routes: [Route]) -> OpenAPIDocument {
        OpenAPIDocument(routes: routes.map(OpenAPIRoute.init) + openAPIRoutes)
    }

    /// `METHOD /path` of every route, in table order.
    var routeList: [String] { routes.map { "\($0.method.rawValue) /\($0.segments.joined(separator: "/"))" } }

    /// Routes of this responder that have no catalogue entry (a test keeps this empty).
    var undocumentedRoutes: [String] { OpenAPIDocument(routes: routes.map(OpenAPIRoute.init)).undocumented }

    /// A text answer with a fixed body (the rendered document).
    static func document(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
