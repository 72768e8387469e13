import Foundation
import HTTPTypes
import Hummingbird

/// One admin request as the pages see it: the path under `/admin`, the session (created when the
/// browser has none, so the login form has a CSRF token), the language, the script nonce, the
/// form fields of a POST, and the cookies the answer must set.
struct AdminRequest: Sendable {
    var path: [String]
    var query: [String: String]
    var sessionId: String?
    var session: AdminSessions.Session?
    var language: AdminLanguage
    var texts: AdminTexts
    /// The nonce of this page's inline script (content-security policy).
    var nonce: String
    var form: [String: String] = [:]
    /// `Set-Cookie` values for the answer (a new session, a chosen language).
    var cookies: [String] = []
    /// A message to show on this page.
    var flash: AdminSessions.Flash?
    /// Cookies get `Secure`: configured so, or the request came through an HTTPS front proxy.
    var secure = false

    /// Reads the session cookie and the language; starts an anonymous session when there is none.
    static func make(_ request: Request, segments: [String], settings: AdminSettings, sessions: AdminSessions) async -> AdminRequest {
        let cookies = AdminHTTP.cookies(request.headers)
        // Decoded once, as a GET form encodes it (`+` a space); `uri.queryParameters` has decoded values already.
        let query = AdminHTTP.form(Array((request.uri.query ?? "").utf8))
        var setCookies: [String] = []
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces)
        let secure = settings.secureCookies || forwarded?.lowercased() == "https"
        var language = settings.defaultLanguage
        if let chosen = query["lang"].flatMap(AdminLanguage.init(rawValue:)) {
            language = chosen
            setCookies.append(AdminHTTP.setCookie(AdminHTTP.languageCookie, chosen.rawValue, secure: secure, maxAge: 365 * 86400))
        } else if let saved = cookies[AdminHTTP.languageCookie].flatMap(AdminLanguage.init(rawValue:)) {
            language = saved
        } else if let accepted = AdminLanguage.accepted(request.headers[.acceptLanguage]) {
            language = accepted
        }
        var sessionId = cookies[AdminHTTP.sessionCookie]
        var session: AdminSessions.Session?
        if let id = sessionId { session = await sessions.session(id) }
        if session == nil, request.method == .get {
            let id = await sessions.create(authenticated: false)
            sessionId = id
            session = await sessions.session(id)
            setCookies.append(AdminHTTP.setCookie(AdminHTTP.sessionCookie, id, secure: secure))
        }
        var page = AdminRequest(
            path: segments, query: query, sessionId: session == nil ? nil : sessionId, session: session, language: language,
            texts: AdminTexts(language), nonce: AdminSessions.randomToken(), cookies: setCookies, secure: secure)
        if let id = page.sessionId { page.flash = await sessions.takeFlash(id) }
        return page
    }
}
