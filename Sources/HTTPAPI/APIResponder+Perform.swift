import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ProxyCore

extension APIResponder {
    /// Runs a matched route's handler and turns thrown errors into the contract's answers
    /// (validation errors code 4, anything else code 9: envelope routes with 200, the others 500).
    func invoke(_ route: Route, _ input: RouteRequest) async -> Response {
        do {
            return try await route.handler(input)
        } catch let e as APIValidationError {
            return Self.json(SubmitResult(code: 4, description: describe(e.key, e.values)).json)
        } catch {
            // The path without its query (signed image links carry their signature there).
            let path = input.request.head.path.map { String($0.prefix { $0 != "?" }) } ?? ""
            logger.error("request failed", metadata: ["path": "\(path)", "error": "\(error)"])
            if route.envelope { return Self.json(SubmitResult(code: 9, description: describe("S3", [:])).json) }
            return Self.json(["code": 9, "description": .string(describe("S3", [:]))], status: .internalServerError)
        }
    }

    /// One API operation on behalf of a caller that has already been authorised (the admin UI's
    /// operator session): the same route table, validation, texts and answers as over HTTP, without
    /// the secret check. `pathAndQuery` is an API path such as `/mj/account/{id}/enable` or
    /// `/mj/account/a/change-version?version=6.1`; `body` is sent as the JSON request body. A streaming
    /// route (task events) needs the caller's own request (`original`): its connection tells when the client
    /// has gone, and its headers (`Last-Event-ID`) are passed on.
    public func perform(
        _ method: HTTPRequest.Method, _ pathAndQuery: String, body: JSONValue? = nil, headers: HTTPFields = [:], original: Request? = nil
    ) async -> Response {
        let (segments, mode) = Self.normalize(pathAndQuery)
        switch route(method, segments) {
        case .found(let route, let params):
            let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: pathAndQuery, headerFields: original?.headers ?? headers)
            let bytes = body.map { Array($0.compactString.utf8) } ?? []
            let request = Request(head: head, body: original?.body ?? RequestBody(buffer: ByteBuffer(bytes: bytes)))
            return await invoke(route, RouteRequest(request: request, parameters: params, pathMode: mode, body: bytes))
        case .notFound: return error(.notFound, code: 404, key: "unknown route")
        case .wrongMethod: return methodNotAllowed(segments)
        }
    }
}
