import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ProxyCore

/// A matched route's inputs.
struct RouteRequest: Sendable {
    var request: Request
    var parameters: [String: String]
    /// Mode from a `/mj-fast|relax|turbo` prefix.
    var pathMode: SpeedMode?
    var body: [UInt8]
}

/// The API as one Hummingbird responder: normalises paths (`//mj//x/` = `/mj/x`), strips mode
/// prefixes, authenticates, routes by method + path template (404 / 405 as JSON), and turns
/// thrown errors into the contract's answers.
public struct APIResponder: HTTPResponder {
    public typealias Context = BasicRequestContext
    typealias Handler = @Sendable (RouteRequest) async throws -> Response

    /// A route: method, path template, handler.
    struct Route: Sendable {
        var method: HTTPRequest.Method
        var segments: [String]
        /// Envelope routes answer 200 with code 9 on unexpected errors.
        var envelope: Bool
        var auth: Auth
        var handler: Handler
        /// Per segment: the parameter's name (`{id}` → `id`), nil for a literal (worked out once, not per request).
        let parameters: [String?]
        /// The template as a path (`/mj/task/{id}/fetch`): the route's name in metrics and traces.
        let template: String

        init(method: HTTPRequest.Method, segments: [String], envelope: Bool, auth: Auth, handler: @escaping Handler) {
            self.method = method
            self.segments = segments
            self.envelope = envelope
            self.auth = auth
            self.handler = handler
            parameters = segments.map { $0.hasPrefix("{") && $0.hasSuffix("}") ? String($0.dropFirst().dropLast()) : nil }
            template = "/" + segments.joined(separator: "/")
        }

        /// Whether every literal segment equals the request's (same count assumed).
        func literalsMatch(_ path: [String]) -> Bool {
            for i in segments.indices where parameters[i] == nil && segments[i] != path[i] { return false }
            return true
        }

        /// The parameter values of a request whose literals match (percent-decoded).
        func values(_ path: [String]) -> [String: String] {
            var params: [String: String] = [:]
            for (i, name) in parameters.enumerated() {
                guard let name else { continue }
                let s = path[i]
                params[name] = s.utf8.contains(UInt8(ascii: "%")) ? (s.removingPercentEncoding ?? s) : s
            }
            return params
        }
    }

    /// Which secret a route needs (contract §1.2).
    enum Auth: Sendable {
        /// None (`/health`, `/ready`).
        case open
        /// The API secret when one is set (the admin secret is accepted too).
        case api
        /// Read-only account routes: the API or the admin secret when either is set.
        case accountRead
        /// Account mutations: the admin secret; none configured = 403.
        case admin
    }

    let configuration: APIConfiguration
    let routes: [Route]
    let logger: Logger

    /// Builds the API over the task service.
    public init(
        configuration: APIConfiguration, service: TaskService, accounts: AccountManager? = nil,
        readiness: @escaping @Sendable () async -> (Bool, JSONValue), images: (any ImageServing)? = nil, events: TaskEventHub? = nil,
        metrics: MetricsEndpoint? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        let submit = SubmitController(service: service)
        let tasks = TaskController(service: service, configuration: configuration)
        var routes: [Route] = []
        func add(_ method: HTTPRequest.Method, _ path: String, envelope: Bool = false, auth: Auth = .api, _ handler: @escaping Handler) {
            routes.append(Route(method: method, segments: path.split(separator: "/").map(String.init), envelope: envelope, auth: auth, handler: handler))
        }
        add(.post, "/mj/submit/imagine", envelope: true, submit.imagine)
        add(.post, "/mj/submit/action", envelope: true, submit.action)
        add(.post, "/mj/submit/blend", envelope: true, submit.blend)
        add(.post, "/mj/submit/describe", envelope: true, submit.describe)
        add(.post, "/mj/submit/shorten", envelope: true, submit.shorten)
        add(.post, "/mj/submit/modal", envelope: true, submit.modal)
        add(.post, "/mj/submit/change", envelope: true, submit.change)
        add(.post, "/mj/submit/simple-change", envelope: true, submit.simpleChange)
        add(.post, "/mj/submit/upload-discord-images", envelope: true, submit.uploadImages)
        add(.post, "/mj/insight-face/swap", envelope: true, submit.swap)
        add(.post, "/mj/task/{id}/cancel", envelope: true, tasks.cancel)
        add(.get, "/mj/task/{id}/image-seed", envelope: true, tasks.imageSeed)
        add(.get, "/mj/task/{id}/fetch", tasks.fetch)
        add(.post, "/mj/task/list-by-condition", tasks.listByCondition)
        add(.post, "/mj/task/list-by-ids", tasks.listByCondition)
        add(.get, "/mj/task/list", tasks.list)
        add(.get, "/mj/task/queue", tasks.queue)
        if let events {
            // Live task events (Server-Sent Events, contract §5.7).
            let sse = TaskEventsController(hub: events, service: service, configuration: configuration)
            add(.get, "/mj/task/{id}/events", sse.single)
            add(.get, "/mj/task/events", sse.multi)
        }
        add(.get, "/health", auth: .open) { _ in Self.json(["status": "UP"]) }
        add(.get, "/ready", auth: .open) { _ in
            let (ready, body) = await readiness()
            return Self.json(body, status: ready ? .ok : .serviceUnavailable)
        }
        if let images {
            // Signed links instead of the API secret (contract §5.8).
            add(.get, "/mj/image/{taskId}/{name}", auth: .open, ImageController(images: images, configuration: configuration).serve)
        }
        if let accounts {
            let a = AccountController(manager: accounts, configuration: configuration)
            add(.get, "/mj/account/list", auth: .accountRead, a.list)
            add(.get, "/mj/account/{id}/fetch", auth: .accountRead, a.fetch)
            add(.post, "/mj/account/create", envelope: true, auth: .admin, a.create)
            add(.put, "/mj/account/{id}/update", envelope: true, auth: .admin, a.update)
            add(.put, "/mj/account/{id}/update-reconnect", envelope: true, auth: .admin, a.updateReconnect)
            add(.post, "/mj/account/{id}/reconnect", envelope: true, auth: .admin, a.reconnect)
            add(.post, "/mj/account/{id}/enable", envelope: true, auth: .admin, a.enable)
            add(.post, "/mj/account/{id}/disable", envelope: true, auth: .admin, a.disable)
            add(.delete, "/mj/account/{id}/delete", envelope: true, auth: .admin, a.delete)
            add(.post, "/mj/account/{id}/sync-info", envelope: true, auth: .admin, a.syncInfo)
            add(.post, "/mj/account/{id}/change-mode", envelope: true, auth: .admin, a.changeMode)
            add(.post, "/mj/account/{id}/change-remix", envelope: true, auth: .admin, a.changeRemix)
            add(.post, "/mj/account/{id}/change-version", envelope: true, auth: .admin, a.changeVersion)
            add(.post, "/mj/account/{id}/action", envelope: true, auth: .admin, a.settingsAction)
            add(.post, "/mj/account/{id}/verified", envelope: true, auth: .admin, a.verified)
        }
        if let metrics {
            // Prometheus text exposition; its own secret rule (MetricsEndpoint).
            add(.get, "/metrics", auth: .open) { r in await metrics.serve(r, configuration: configuration) }
        }
        // The OpenAPI 3.1 document of exactly these routes (contract §7), rendered once; add routes above this.
        let openAPI = Self.openAPIDocument(routes)
        add(.get, "/openapi.json", auth: .open) { _ in Self.document(openAPI.json, contentType: "application/json") }
        add(.get, "/openapi.yaml", auth: .open) { _ in Self.document(openAPI.yaml, contentType: "application/yaml") }
        self.routes = routes
    }

    static let deliveryHeader = HTTPField.Name("X-Mjproxy-Delivery")!

    // MARK: responses

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.compactString)))
    }

    /// A JSON answer from an already encoded document.
    static func jsonBytes(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON array of the documents in `parts` (nil ones left out), each written in place into one buffer.
    static func jsonArray(_ parts: [[UInt8]?]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var size = 2
        for i in parts.indices { size += (parts[i]?.count ?? 0) + 1 }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        buffer.writeInteger(UInt8(ascii: "["))
        var first = true
        for i in parts.indices {
            parts[i]?.withUnsafeBufferPointer { document in
                if !first { buffer.writeInteger(UInt8(ascii: ",")) }
                first = false
                buffer.writeBytes(document)
            }
        }
        buffer.writeInteger(UInt8(ascii: "]"))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    func error(_ status: HTTPResponse.Status, code: Int, key: String, _ values: [String: String] = [:]) -> Response {
        Self.json(["code": .int(Int64(code)), "description": .string(describe(key, values))], status: status)
    }

    func describe(_ key: String, _ values: [String: String]) -> String {
        Texts.text(key, configuration.locale, values).replacingOccurrences(of: "[]", with: "")
    }

    // MARK: dispatch

    /// Normalised path and the mode of a `/mj-<mode>` prefix.
    static func normalize(_ rawPath: String) -> (segments: [String], mode: SpeedMode?) {
        // One pass over the bytes up to the query (the generic `split` + `map` was 2–3 % of a fetch).
        var segments: [String] = []
        segments.reserveCapacity(6)
        let utf8 = rawPath.utf8
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex, utf8[i] != UInt8(ascii: "?") {
            if utf8[i] == UInt8(ascii: "/") {
                if start != i { segments.append(String(rawPath[start..<i])) }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if start != i { segments.append(String(rawPath[start..<i])) }
        var mode: SpeedMode?
        if let first = segments.first, first.hasPrefix("mj-"), let m = SpeedMode(rawValue: String(first.dropFirst(3)).uppercased()) {
            mode = m
            segments.removeFirst()
        }
        return (segments, mode)
    }

    /// The route for `segments` and `method`: `.notFound` when no path matches, `.wrongMethod` when
    /// only other methods do. Literal segments are compared before any parameter is extracted.
    func route(_ method: HTTPRequest.Method, _ segments: [String]) -> RouteMatch {
        var pathMatched = false
        for route in routes where route.segments.count == segments.count && route.literalsMatch(segments) {
            pathMatched = true
            if route.method == method { return .found(route, route.values(segments)) }
        }
        return pathMatched ? .wrongMethod : .notFound
    }

    /// What `route(_:_:)` found.
    enum RouteMatch {
        case found(Route, [String: String])
        case notFound
        case wrongMethod
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let (segments, mode) = Self.normalize(request.head.path ?? "/")
        let route: Route
        let params: [String: String]
        switch self.route(request.method, segments) {
        case .found(let r, let p):
            (route, params) = (r, p)
            // The template names the route in metrics and traces (never the raw path: bounded labels).
            context.coreContext.endpointPath.value = r.template
        case .notFound: return error(.notFound, code: 404, key: "unknown route")
        case .wrongMethod: return methodNotAllowed(segments)
        }
        // A webhook delivery of an mjproxy (this one, when a notifyHook points back at it) never
        // reaches the API: a hook at /mj/submit/imagine would otherwise re-submit on every event.
        if request.headers[values: Self.deliveryHeader].first != nil {
            return error(.badRequest, code: 4, key: "webhook deliveries are not accepted by the API")
        }
        if let refusal = authenticate(route.auth, request.headers, segments: segments) { return refusal }
        var body: [UInt8] = []
        if request.method == .post || request.method == .put {
            switch await BodyReader.read(request, upTo: configuration.maxBodyBytes, timeout: configuration.bodyReadTimeout) {
            case .body(let bytes): body = bytes
            case .tooLarge: return self.error(.contentTooLarge, code: 4, key: "V2")
            case .timedOut:
                var answer = self.error(.requestTimeout, code: 408, key: "U4")
                answer.headers[.connection] = "close"
                return answer
            }
        }
        return await invoke(route, RouteRequest(request: request, parameters: params, pathMode: mode, body: body))
    }
}
