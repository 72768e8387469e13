import DiscordKit
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import ProxyCore

/// The operators' web UI under `/admin`: server-rendered pages (Mustache) over the API's own
/// operations (`APIResponder.perform`, so validation and answers are the API's), guarded by the
/// admin secret (login form → server-side session, HttpOnly SameSite=Strict cookie, a CSRF token in
/// every form checked on each POST), in English and Chinese.
public struct AdminUI: Sendable {
    let api: APIResponder
    let service: TaskService
    let accounts: AccountManager?
    let settings: AdminSettings
    let sessions: AdminSessions
    let library: MustacheLibrary
    let logger: Logger

    /// Creates the UI over the API responder and the parts it reads directly.
    public init(api: APIResponder, service: TaskService, accounts: AccountManager?, settings: AdminSettings, sessions: AdminSessions = AdminSessions(), logger: Logger) {
        self.api = api
        self.service = service
        self.accounts = accounts
        self.settings = settings
        self.sessions = sessions
        self.logger = logger
        var library = MustacheLibrary()
        for (name, source) in AdminTemplates.all {
            // The templates are constants of this file's module: a parse error is a programming error.
            do { try library.register(source, named: name) } catch { preconditionFailure("admin template \(name): \(error)") }
        }
        self.library = library
    }

    /// Whether `path` (normalised segments) belongs to the UI.
    public static func handles(_ segments: [String]) -> Bool { segments.first == "admin" }

    /// Answers one `/admin…` request.
    public func respond(to request: Request, segments: [String]) async -> Response {
        var page = await AdminRequest.make(request, segments: Array(segments.dropFirst()), settings: settings, sessions: sessions)
        guard let secret = settings.loginSecret else {
            return render(&page, "message", title: page.texts["refusedTitle"], ["heading": page.texts["refusedTitle"], "text": page.texts["refusedText"]], status: .forbidden)
        }
        let method = request.method
        guard [.get, .head, .post].contains(method) else {
            var refused = render(&page, "message", title: page.texts["failed"], ["heading": page.texts["failed"], "text": ""], status: .methodNotAllowed)
            refused.headers[.allow] = "GET, HEAD, POST"
            return refused
        }
        if method == .post {
            // Forms are small (the banned-word list the largest); a larger body is refused unread.
            guard let buffer = try? await request.body.collect(upTo: 1 << 20) else {
                return render(&page, "message", title: page.texts["failed"], ["heading": page.texts["failed"], "text": ""], status: .contentTooLarge)
            }
            page.form = AdminHTTP.form(Array(buffer.readableBytesView))
            // Every POST, login included, carries the session's token (SameSite=Strict is the second guard).
            guard let session = page.session, let token = page.form["csrf"], SecretCheck.equal(token, session.csrf) else {
                return render(&page, "message", title: page.texts["failed"], ["heading": page.texts["failed"], "text": page.texts["csrfFailed"]], status: .forbidden)
            }
        }
        if page.path == ["login"] { return await login(&page, method: method, secret: secret) }
        guard page.session?.authenticated == true else { return AdminHTTP.redirect("/admin/login", cookies: page.cookies) }
        return await route(&page, method: method, request: request)
    }

    /// The pages of a logged-in operator.
    private func route(_ page: inout AdminRequest, method: HTTPRequest.Method, request: Request) async -> Response {
        switch (method, page.path) {
        case (.get, []): return await overview(&page)
        case (.post, ["logout"]):
            if let id = page.sessionId { await sessions.remove(id) }
            return AdminHTTP.redirect("/admin/login", cookies: [AdminHTTP.setCookie(AdminHTTP.sessionCookie, "", secure: page.secure, maxAge: 0)])
        case (.get, ["accounts"]): return await accountList(&page)
        case (.post, ["accounts"]): return await accountCreate(&page)
        case (.get, let p) where p.count == 2 && p[0] == "accounts": return await accountEdit(&page, id: p[1])
        case (.post, let p) where p.count == 3 && p[0] == "accounts": return await accountOperation(&page, id: p[1], operation: p[2])
        case (.get, ["tasks"]): return await taskList(&page)
        case (.post, ["tasks"]): return await imagine(&page)
        case (.get, let p) where p.count == 2 && p[0] == "tasks": return await taskDetail(&page, id: p[1])
        case (.get, let p) where p.count == 3 && p[0] == "tasks" && p[2] == "events": return await taskEvents(request, id: p[1])
        case (.post, let p) where p.count == 3 && p[0] == "tasks" && p[2] == "action": return await taskAction(&page, id: p[1])
        case (.get, ["banned"]): return await bannedWords(&page)
        case (.post, ["banned"]): return await saveBannedWords(&page)
        case (.get, ["config"]): return configuration(&page)
        default: return notFound(&page)
        }
    }

    /// The login form, and its POST: the secret compared in constant time; success starts a new
    /// authenticated session (a new id: a planted cookie never becomes an operator's).
    private func login(_ page: inout AdminRequest, method: HTTPRequest.Method, secret: String) async -> Response {
        if method == .post {
            if let presented = page.form["secret"], SecretCheck.equal(presented, secret) {
                if let old = page.sessionId { await sessions.remove(old) }
                let id = await sessions.create(authenticated: true)
                logger.info("admin login")
                return AdminHTTP.redirect("/admin", cookies: page.cookies + [AdminHTTP.setCookie(AdminHTTP.sessionCookie, id, secure: page.secure)])
            }
            logger.notice("admin login refused: wrong secret")
            if let id = page.sessionId { await sessions.setFlash(id, .init(ok: false, text: page.texts["loginFailed"])) }
            return AdminHTTP.redirect("/admin/login", cookies: page.cookies)
        }
        if page.session?.authenticated == true { return AdminHTTP.redirect("/admin", cookies: page.cookies) }
        return render(&page, "login", title: page.texts["login"], [:])
    }

    func notFound(_ page: inout AdminRequest) -> Response {
        render(&page, "message", title: page.texts["notFound"], ["heading": page.texts["notFound"], "text": ""], status: .notFound)
    }
}
