import DiscordKit
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import Mustache

extension AdminUI {
    /// The navigation entries (path under /admin, text key).
    static let navigation: [(path: String, key: String)] = [
        ("", "overview"), ("accounts", "accounts"), ("tasks", "tasks"), ("banned", "bannedWords"), ("config", "configuration"),
    ]

    /// Renders `template` with `values` inside the page frame.
    func render(_ page: inout AdminRequest, _ template: String, title: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["t"] = page.texts.all
        context["csrf"] = page.session?.csrf ?? ""
        context["nonce"] = page.nonce
        // The one-time token of this rendering's forms that send work to Discord (see `claimOnce`).
        context["once"] = AdminSessions.randomToken()
        let content = library.render(context, withTemplate: template) ?? ""
        let current = page.path.first ?? ""
        let nav: [[String: Any]] = Self.navigation.map { entry in
            ["href": "/admin/" + entry.path, "label": page.texts[entry.key], "on": entry.path == current]
        }
        var frame: [String: Any] = [
            "t": page.texts.all, "lang": page.language == .zh ? "zh-CN" : "en", "title": title, "nav": nav,
            "loggedIn": page.session?.authenticated == true, "csrf": page.session?.csrf ?? "", "content": content,
        ]
        if let flash = page.flash { frame["flash"] = ["ok": flash.ok, "text": flash.text] as [String: Any] }
        return AdminHTTP.html(library.render(frame, withTemplate: "layout") ?? "", status: status, nonce: page.nonce, cookies: page.cookies)
    }

    /// Runs an API operation for the operator and keeps its answer as the next page's message;
    /// returns the answer's JSON (nil when it was not JSON).
    @discardableResult
    func perform(_ page: AdminRequest, _ method: HTTPRequest.Method, _ path: String, body: JSONValue? = nil) async -> JSONValue? {
        // Every change an operator makes is logged with its route (ids, never bodies: a token may be in one).
        logger.info("admin action", metadata: ["method": "\(method)", "route": "\(path.prefix { $0 != "?" })"])
        let response = await api.perform(method, path, body: body)
        let json = await AdminHTTP.json(response)
        let code = json?["code"]?.intValue
        let ok = response.status.code < 400 && (code == nil || code == 1 || code == 22)
        let text = json?["description"]?.stringValue ?? (ok ? page.texts["ok"] : page.texts["failed"])
        if let id = page.sessionId { await sessions.setFlash(id, .init(ok: ok, text: text)) }
        return json
    }

    /// A time in ms as `yyyy-MM-dd HH:mm:ss` UTC.
    static func time(_ ms: Int64?) -> String {
        guard let ms else { return "" }
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// A JSON value as a Mustache value (objects as dictionaries; null, absent and empty strings dropped).
    static func mustache(_ value: JSONValue) -> Any? {
        switch value {
        case .null: return nil
        case .string(let s): return s.isEmpty ? nil : s
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .array(let items): return items.compactMap(mustache)
        case .object(let pairs):
            var out: [String: Any] = [:]
            for (k, v) in pairs { if let m = mustache(v) { out[k] = m } }
            return out
        }
    }
}
