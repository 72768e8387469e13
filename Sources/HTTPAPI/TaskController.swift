import DiscordKit
import Foundation
import Hummingbird
import ProxyCore

/// `/mj/task/*`: fetch, list, list-by-condition, queue.
struct TaskController: Sendable {
    let service: TaskService
    var registry: TaskRegistry { service.registry }
    let configuration: APIConfiguration

    private func bad(_ key: String, _ values: [String: String] = [:]) -> Response {
        APIResponder.json(
            ["code": 4, "description": .string(Texts.text(key, configuration.locale, values))], status: .badRequest)
    }

    private func tasksJSON(_ tasks: [MJTask]) -> Response { APIResponder.json(.array(tasks.map(\.json))) }

    /// `GET /mj/task/{id}/fetch`: the cached JSON bytes when the task was seen recently, else the store.
    @Sendable func fetch(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"] else { return notFound() }
        if let bytes = registry.cache.get(id) { return APIResponder.jsonBytes(bytes) }
        guard let task = try await registry.task(id: id) else { return notFound() }
        return APIResponder.json(task.json)
    }

    /// `POST /mj/task/list-by-condition` and `list-by-ids`: only the requested ids, in request order.
    @Sendable func listByCondition(_ r: RouteRequest) async throws -> Response {
        let body: JSONBody
        do { body = try JSONBody.parse(r.body) } catch { return bad("V36") }
        var ids: [String] = []
        if let raw = body.raw("ids") {
            guard case .array(let items) = raw else { return bad("V36") }
            for item in items {
                if case .string(let s) = item {
                    ids.append(s)
                } else if let text = JSONBody.integerText(item) {
                    ids.append(text)
                } else {
                    return bad("V36")
                }
            }
        }
        guard ids.count <= configuration.maxIdsPerQuery else { return bad("V37", ["n": String(configuration.maxIdsPerQuery)]) }
        // Request order, duplicates once, unknown ids skipped; cached tasks are served as stored bytes,
        // the rest read in one batch.
        var seen = Set<String>(minimumCapacity: ids.count)
        let unique = ids.filter { seen.insert($0).inserted }
        // The documents are shared with every other reader (their reference counts live on cache lines both
        // cores touch): each is retained once here and read in place afterwards, not copied between arrays.
        var parts = registry.cache.get(unique)
        var missing: [String] = []
        for i in parts.indices where parts[i] == nil { missing.append(unique[i]) }
        if !missing.isEmpty {
            var fetched: [String: [UInt8]] = [:]
            for task in try await registry.tasks(ids: missing) { fetched[task.id] = Array(task.json.compactString.utf8) }
            for i in parts.indices where parts[i] == nil { parts[i] = fetched[unique[i]] }
        }
        return APIResponder.jsonArray(parts)
    }

    /// `GET /mj/task/list?limit=&before=`: newest first.
    @Sendable func list(_ r: RouteRequest) async throws -> Response {
        let query = r.request.uri.queryParameters
        var limit = 100
        if let text = query.get("limit") {
            guard let l = Int(text), l >= 1 else { return bad("V39", ["field": "limit"]) }
            limit = min(l, 1000)
        }
        var before: String?
        if let text = query.get("before"), !text.isEmpty {
            guard text.count == 16, text.allSatisfy(\.isNumber) else { return bad("V39", ["field": "before"]) }
            before = text
        }
        return tasksJSON(try await registry.list(limit: limit, before: before))
    }

    /// `GET /mj/task/queue`: unfinished, not modal, oldest first.
    @Sendable func queue(_ r: RouteRequest) async throws -> Response {
        tasksJSON(await registry.unfinished(in: [.notStart, .submitted, .inProgress]))
    }
}

extension TaskController {
    /// `POST /mj/task/{id}/cancel` (contract §5.6).
    @Sendable func cancel(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"], let result = await service.cancel(taskId: id) else { return notFound() }
        return APIResponder.json(result.json)
    }

    /// `GET /mj/task/{id}/image-seed` (contract §5.5).
    @Sendable func imageSeed(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"], let result = await service.imageSeed(taskId: id) else { return notFound() }
        return APIResponder.json(result.json)
    }

    func notFound() -> Response {
        APIResponder.json(["code": 4, "description": .string(Texts.text("V28", configuration.locale))], status: .notFound)
    }
}
