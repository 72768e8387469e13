import DiscordKit
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import ProxyCore

extension AdminUI {
    /// The time filters (query value, text key, seconds).
    static let sinces: [(value: String, key: String, seconds: Int64)] = [("15m", "last15m", 900), ("1h", "last1h", 3600), ("24h", "last24h", 86400)]

    /// The tasks page: the newest 1000 tasks filtered by status, action, account and age, and an imagine form.
    func taskList(_ page: inout AdminRequest) async -> Response {
        let status = page.query["status"].flatMap(TaskStatus.init(rawValue:))
        let action = page.query["action"].flatMap(TaskAction.init(rawValue:))
        let account = page.query["account"].map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let since = Self.sinces.first { $0.value == page.query["since"] }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let tasks = ((try? await service.registry.list(limit: 1000, before: nil)) ?? []).filter { task in
            (status == nil || task.status == status) && (action == nil || task.action == action)
                && (account.isEmpty || task.accountId == account) && (since.map { task.submitTime >= now - $0.seconds * 1000 } ?? true)
        }
        let values: [String: Any] = [
            "tasks": tasks.prefix(200).map(Self.row),
            "statuses": TaskStatus.allCases.map { ["name": $0.rawValue, "on": $0 == status] as [String: Any] },
            "actions": TaskAction.allCases.map { ["name": $0.rawValue, "on": $0 == action] as [String: Any] },
            "sinces": Self.sinces.map { ["value": $0.value, "label": page.texts[$0.key], "on": $0.value == since?.value] as [String: Any] },
            "account": account,
        ]
        return render(&page, "tasks", title: page.texts["tasks"], values)
    }

    /// A task as a table row.
    static func row(_ task: MJTask) -> [String: Any] {
        var row: [String: Any] = [
            "id": task.id, "action": task.action.rawValue, "status": task.status.rawValue, "progress": task.progress,
            "submitted": time(task.submitTime), "prompt": task.prompt ?? "",
        ]
        if let a = task.accountId { row["accountId"] = a }
        if !task.failReason.isEmpty { row["failReason"] = task.failReason }
        return row
    }

    /// One task: image, prompt, state, its buttons (each a form to `/mj/submit/action`), and, while
    /// unfinished, a script following the task's events (SSE) that reloads the page when it ends.
    func taskDetail(_ page: inout AdminRequest, id: String) async -> Response {
        guard let task = try? await service.registry.task(id: id) else { return notFound(&page) }
        var values = Self.row(task)
        values["percent"] = Int(task.progress.prefix { $0.isNumber }) ?? (task.status == .success ? 100 : 0)
        values["prompt"] = task.prompt ?? ""
        if let d = task.description, !d.isEmpty { values["description"] = d }
        if let url = task.imageUrl, Self.isImageLink(url) { values["imageUrl"] = url }
        let buttons = task.status == .success ? task.buttons.map { ["customId": $0.customId, "label": $0.label, "emoji": $0.emoji] } : []
        values["buttons"] = buttons
        values["hasButtons"] = !buttons.isEmpty
        values["open"] = !task.status.isFinished
        return render(&page, "task", title: "\(page.texts["taskDetail"]) \(id)", values)
    }

    /// Whether an image link may go into the page: http(s) or a path on this server (never `javascript:`, `data:` and the like).
    static func isImageLink(_ link: String) -> Bool {
        if link.hasPrefix("/") { return true }
        guard let scheme = URL(string: link)?.scheme?.lowercased() else { return false }
        return scheme == "https" || scheme == "http"
    }

    /// The task's event stream (the API's `/mj/task/{id}/events`, for the operator's session).
    func taskEvents(_ request: Request, id: String) async -> Response {
        await api.perform(.get, "/mj/task/\(AdminHTTP.escape(id))/events", original: request)
    }

    /// `POST /admin/tasks`: the API's imagine with the form's prompt (once per rendered form); on to the new task's page.
    func imagine(_ page: inout AdminRequest) async -> Response {
        let (key, refused) = await claimOnce(&page, scope: "imagine", otherwise: "/admin/tasks")
        if let refused { return refused }
        let json = await perform(page, .post, "/mj/submit/imagine", body: ["prompt": .string(page.form["prompt"] ?? "")])
        await settleOnce(page, key: key, taskId: Self.createdTask(json))
        return Self.toTask(json, otherwise: "/admin/tasks")
    }

    /// `POST /admin/tasks/{id}/action`: the API's `/mj/submit/action` with the pressed button's customId (once per rendered form).
    func taskAction(_ page: inout AdminRequest, id: String) async -> Response {
        let customId = page.form["customId"] ?? ""
        let back = "/admin/tasks/\(AdminHTTP.escape(id))"
        let (key, refused) = await claimOnce(&page, scope: "action|\(id)|\(customId)", otherwise: back)
        if let refused { return refused }
        let json = await perform(page, .post, "/mj/submit/action", body: ["taskId": .string(id), "customId": .string(customId)])
        await settleOnce(page, key: key, taskId: Self.createdTask(json))
        return Self.toTask(json, otherwise: back)
    }

    /// The id of the task a submission created (codes 1 and 22 carry it), or nil.
    static func createdTask(_ json: JSONValue?) -> String? {
        guard let code = json?["code"]?.intValue, code == 1 || code == 22, let id = json?["result"]?.stringValue, !id.isEmpty else { return nil }
        return id
    }

    /// To the page of the task a submission created (codes 1 and 22 carry its id), else `otherwise`.
    static func toTask(_ json: JSONValue?, otherwise: String) -> Response {
        AdminHTTP.redirect(createdTask(json).map { "/admin/tasks/\(AdminHTTP.escape($0))" } ?? otherwise)
    }
}
