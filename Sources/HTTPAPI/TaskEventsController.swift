import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import ProxyCore

/// `GET /mj/task/{id}/events` and `GET /mj/task/events?ids=a,b,c`: live task events as Server-Sent
/// Events (contract §5.7; the stream itself is `TaskEventStream`).
struct TaskEventsController: Sendable {
    let hub: TaskEventHub
    let service: TaskService
    let configuration: APIConfiguration
    /// How the keep-alive ticker waits (tests may pass another clock's sleep).
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    /// `GET /mj/task/{id}/events`: one task; `Last-Event-ID: <sequence>` resumes.
    @Sendable func single(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"], let task = try await service.registry.task(id: id) else { return notFound() }
        var resume: [String: Int64] = [:]
        if let text = r.request.headers[Self.lastEventID], let sequence = Int64(text.trimmingCharacters(in: .whitespaces)) {
            resume[id] = sequence
        }
        return respond(TaskEventStream(
            hub: hub, registry: service.registry, initial: [task], resume: resume, multi: false,
            pingInterval: configuration.eventsPingInterval, sleep: sleep), r.request)
    }

    /// `GET /mj/task/events?ids=a,b,c` (or repeated `ids=`): several tasks, unknown ids skipped,
    /// at most `task.maxIdsPerQuery`; `Last-Event-ID: <taskId>:<sequence>` resumes that task.
    @Sendable func multi(_ r: RouteRequest) async throws -> Response {
        var seen = Set<String>()
        let ids = r.request.uri.queryParameters[values: "ids"]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !ids.isEmpty else { return bad("V36") }
        guard ids.count <= configuration.maxIdsPerQuery else { return bad("V37", ["n": String(configuration.maxIdsPerQuery)]) }
        let tasks = try await service.registry.tasks(ids: ids)
        guard !tasks.isEmpty else { return notFound() }
        var resume: [String: Int64] = [:]
        if let text = r.request.headers[Self.lastEventID], let colon = text.lastIndex(of: ":"),
            let sequence = Int64(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        {
            resume[text[..<colon].trimmingCharacters(in: .whitespaces)] = sequence
        }
        return respond(TaskEventStream(
            hub: hub, registry: service.registry, initial: tasks, resume: resume, multi: true,
            pingInterval: configuration.eventsPingInterval, sleep: sleep), r.request)
    }

    /// The streaming answer, or 204 when there is nothing to send.
    private func respond(_ stream: TaskEventStream, _ request: Request) -> Response {
        if stream.hasNothingToSend { return Response(status: .noContent) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        // Reverse proxies (nginx) pass events through at once instead of buffering the answer.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        // The connection ends with the stream (it is watched for the client closing it): not reusable.
        headers[.connection] = "close"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await stream.write(to: &writer, watching: request.body) })
    }

    private func bad(_ key: String, _ values: [String: String] = [:]) -> Response {
        APIResponder.json(["code": 4, "description": .string(Texts.text(key, configuration.locale, values))], status: .badRequest)
    }

    private func notFound() -> Response {
        APIResponder.json(["code": 4, "description": .string(Texts.text("V28", configuration.locale))], status: .notFound)
    }
}
