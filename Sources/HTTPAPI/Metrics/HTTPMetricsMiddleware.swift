import CoreMetrics
import HTTPTypes
import Hummingbird
import Synchronization

/// Counts every HTTP request by method, route template and status (`mjproxy_http_requests_total`) and
/// records its latency until the response head (`mjproxy_http_request_duration_seconds`, a histogram).
///
/// The route label is the matched template from the request context (`context.endpointPath`, set by
/// Hummingbird's router or by `APIResponder`: `/mj/task/{id}/fetch`), never the raw path; requests that
/// match no route share the label `unmatched`, and unusual methods the label `OTHER`, so the number of
/// series is bounded whatever clients send. A streamed body (SSE) is timed until its head is returned.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The factory handles come from; nil = the process-wide `MetricsSystem.factory`.
    let factory: (any MetricsFactory)?
    /// Handles made once per label set (making one looks it up in the registry, validating its labels).
    let handles = HTTPMetricHandles()

    /// Metrics through `factory` (nil = the process-wide factory).
    public init(factory: (any MetricsFactory)? = nil) { self.factory = factory }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request.method, context, status: response.status.code, since: start)
            return response
        } catch {
            record(request.method, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    /// Updates the counter and the latency histogram of one request.
    private func record(_ method: HTTPRequest.Method, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        let f = factory ?? MetricsSystem.factory
        let elapsed = (ContinuousClock.now - start).components
        let nanos = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
        let methodLabel = Self.methodLabel(method)
        let route = context.endpointPath ?? "unmatched"
        handles.counter(method: methodLabel, route: route, status: status) {
            Counter(
                label: "mjproxy_http_requests_total", dimensions: [("method", methodLabel), ("route", route), ("status", String(status))], factory: f)
        }.increment()
        handles.timer(method: methodLabel, route: route) {
            Timer(label: "mjproxy_http_request_duration_seconds", dimensions: [("method", methodLabel), ("route", route)], factory: f)
        }.recordNanoseconds(nanos)
    }

    /// The method as a label: the standard ones by name, anything else `OTHER`.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .post, .put, .delete, .patch, .head, .options: return method.rawValue
        default: return "OTHER"
        }
    }
}

/// The request counters and latency timers made so far, by label set. Bounded: routes are templates (or
/// `unmatched`), methods a fixed list and statuses 100–599.
final class HTTPMetricHandles: Sendable {
    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])

    /// The counter for a label set, made by `make` the first time.
    func counter(method: String, route: String, status: Int, make: () -> Counter) -> Counter {
        let key = Key(method: method, route: route, status: status)
        if let c = counters.withLock({ $0[key] }) { return c }
        let c = make()
        return counters.withLock { current in
            if let existing = current[key] { return existing }
            current[key] = c
            return c
        }
    }

    /// The latency timer for a method and route, made by `make` the first time.
    func timer(method: String, route: String, make: () -> Timer) -> Timer {
        let key = Key(method: method, route: route, status: 0)
        if let t = timers.withLock({ $0[key] }) { return t }
        let t = make()
        return timers.withLock { current in
            if let existing = current[key] { return existing }
            current[key] = t
            return t
        }
    }
}

/// A responder with one middleware in front of it (Hummingbird's own pairing is internal): lets the
/// hand-written `APIResponder` use router middleware such as `HTTPMetricsMiddleware`.
public struct MiddlewareWrappedResponder<Middleware: RouterMiddleware, Inner: HTTPResponder>: HTTPResponder
where Middleware.Context == Inner.Context {
    public typealias Context = Inner.Context
    let middleware: Middleware
    let inner: Inner

    /// `inner` behind `middleware`.
    public init(_ middleware: Middleware, before inner: Inner) {
        self.middleware = middleware
        self.inner = inner
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in try await inner.respond(to: request, context: context) }
    }
}
