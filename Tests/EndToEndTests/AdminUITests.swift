@testable import AdminUI
import AsyncHTTPClient
import DiscordKit
import Foundation
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// The admin web UI (`/admin`) over HTTP against a whole mjproxy: login, session cookie, CSRF,
/// languages, masked configuration, and forms reaching the account manager.
@Suite struct AdminUITests {
    static let secret = "adm1n-ui-secret"

    /// A browser without JavaScript: a cookie jar, no redirects followed.
    final class Browser: Sendable {
        let base: String
        let http: HTTPClient
        let jar = Locked<[String: String]>([:])

        init(base: String) {
            self.base = base
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }

        func shutdown() async { try? await http.shutdown() }

        /// One exchange; `Set-Cookie` values go into the jar (Max-Age=0 removes).
        func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil, headers: [(String, String)] = [])
            async throws -> (status: Int, headers: HTTPHeaders, body: String)
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            let cookies = jar.value.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies) }
            for (k, v) in headers { request.headers.add(name: k, value: v) }
            if let form {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                let text = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: text))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            for header in response.headers["Set-Cookie"] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                jar.withLock { $0[name] = header.contains("Max-Age=0") ? nil : value }
            }
            let body = try await response.body.collect(upTo: 8 << 20)
            return (Int(response.status.code), response.headers, String(buffer: body))
        }

        /// The value of the first hidden field `name` in `html`.
        static func field(_ name: String, in html: String) throws -> String {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { throw TestFailure("no \(name) field") }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }

        /// The CSRF token of the page at `path`.
        func csrf(_ path: String) async throws -> String {
            let page = try await send(.GET, path)
            guard let range = page.body.range(of: #"name="csrf" value=""#) else { throw TestFailure("no CSRF field on \(path)") }
            return String(page.body[range.upperBound...].prefix { $0 != "\"" })
        }

        /// Logs in with `secret`; the answer of the POST.
        @discardableResult
        func login(_ secret: String) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
            let token = try await csrf("/admin/login")
            return try await send(.POST, "/admin/login", form: [("csrf", token), ("secret", secret)])
        }
    }

    /// Runs `body` with a proxy that has the admin (and API) secret and a fresh browser.
    static func with(_ tweak: @escaping (inout AppConfig) -> Void = { _ in }, _ body: @Sendable (TestProxy, Browser) async throws -> Void) async throws {
        let config = TestProxy.config {
            $0.adminSecret = secret
            $0.apiSecret = "api-ui-secret"
            tweak(&$0)
        }
        try await TestProxy.with(config) { proxy in
            let browser = Browser(base: proxy.baseURL)
            do { try await body(proxy, browser) } catch {
                await browser.shutdown()
                throw error
            }
            await browser.shutdown()
        }
    }

    @Test func loginIsRequiredAndAWrongSecretRefused() async throws {
        try await Self.with { _, browser in
            let first = try await browser.send(.GET, "/admin")
            #expect(first.status == 303)
            #expect(first.headers["Location"].first == "/admin/login")
            let cookie = try #require(first.headers["Set-Cookie"].first { $0.hasPrefix("mjadmin_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"))
            #expect(!cookie.contains("Secure"))
            // Behind an HTTPS front proxy the cookie is `Secure`.
            let proxied = Browser(base: browser.base)
            let behindTLS = try await proxied.send(.GET, "/admin", headers: [("X-Forwarded-Proto", "https")])
            await proxied.shutdown()
            #expect(behindTLS.headers["Set-Cookie"].first?.contains("; Secure") == true)
            #expect(try await browser.send(.GET, "/admin/accounts").status == 303)
            #expect(try await browser.send(.GET, "/admin/tasks/1/events").status == 303)

            let wrong = try await browser.login("not-the-secret")
            #expect(wrong.status == 303 && wrong.headers["Location"].first == "/admin/login")
            let again = try await browser.send(.GET, "/admin/login")
            #expect(again.body.contains("Wrong admin secret."))
            #expect(try await browser.send(.GET, "/admin").status == 303)

            let sessionBefore = browser.jar.value["mjadmin_session"]
            let right = try await browser.login(Self.secret)
            #expect(right.status == 303 && right.headers["Location"].first == "/admin")
            // A new session id after login: a planted cookie never becomes an operator's session.
            #expect(browser.jar.value["mjadmin_session"] != sessionBefore)
            let overview = try await browser.send(.GET, "/admin")
            #expect(overview.status == 200)
            #expect(overview.body.contains("Accounts by state"))
            #expect(overview.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)

            // Logout ends the session on the server.
            let token = try await browser.csrf("/admin")
            let oldSession = try #require(browser.jar.value["mjadmin_session"])
            #expect(try await browser.send(.POST, "/admin/logout", form: [("csrf", token)]).status == 303)
            browser.jar.withLock { $0["mjadmin_session"] = oldSession }
            #expect(try await browser.send(.GET, "/admin").status == 303)
        }
    }

    @Test func everyPostNeedsTheSessionsCSRFToken() async throws {
        try await Self.with { proxy, browser in
            try await browser.login(Self.secret)
            let id = try #require(await proxy.runtime.accounts.list().first?.record.config.id)
            let missing = try await browser.send(.POST, "/admin/accounts/\(id)/disable", form: [])
            #expect(missing.status == 403)
            let wrong = try await browser.send(.POST, "/admin/accounts/\(id)/disable", form: [("csrf", String(repeating: "0", count: 64))])
            #expect(wrong.status == 403)
            #expect(await proxy.runtime.accounts.get(id: id)?.record.config.enabled == true)
            // The login form too: no token, no login.
            let blind = try await browser.send(.POST, "/admin/login", form: [("secret", Self.secret)])
            #expect(blind.status == 403)
            let token = try await browser.csrf("/admin/accounts")
            #expect(try await browser.send(.POST, "/admin/accounts/\(id)/disable", form: [("csrf", token)]).status == 303)
            #expect(await proxy.runtime.accounts.get(id: id)?.record.config.enabled == false)
        }
    }

    @Test func onlyAdminPathsReachTheUIsRouting() {
        for path in ["/admin", "/admin/", "//admin/tasks", "/%61dmin", "/admin/accounts/x"] { #expect(AdminFrontResponder.mayBeAdmin(path), "\(path)") }
        for path in ["/", "", "/mj/task/1/fetch", "/administrator", "/mj/admin", "/adm"] { #expect(!AdminFrontResponder.mayBeAdmin(path), "\(path)") }
    }

    @Test func theConfigurationPageMasksSecrets() async throws {
        try await Self.with({
            $0.webhookSecret = "hook-secret-value"
            $0.webhookURL = "http://127.0.0.1:9/hook"
            // Hook services carry tokens in the user part or the query: those never reach the page.
            $0.verificationHookURL = "https://bot:pass-in-url@hooks.example/notify?token=query-token-value"
        }) { _, browser in
            try await browser.login(Self.secret)
            let page = try await browser.send(.GET, "/admin/config")
            #expect(page.status == 200)
            for secret in [Self.secret, "api-ui-secret", "hook-secret-value", "pass-in-url", "query-token-value"] {
                #expect(!page.body.contains(secret))
            }
            #expect(page.body.contains("admin.secret"))
            #expect(page.body.contains("(set)"))
            #expect(page.body.contains("http://127.0.0.1:9/hook"))
            #expect(page.body.contains("hooks.example/notify"))
        }
    }

    @Test func chineseTextsAreServed() async throws {
        try await Self.with { _, browser in
            let byHeader = try await browser.send(.GET, "/admin/login", headers: [("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")])
            #expect(byHeader.body.contains("管理员登录"))
            #expect(byHeader.body.contains(#"<html lang="zh-CN">"#))
            let english = try await browser.send(.GET, "/admin/login?lang=en", headers: [("Accept-Language", "zh-CN")])
            #expect(english.body.contains("Operator login"))
            // The choice is kept in a cookie.
            #expect(try await browser.send(.GET, "/admin/login", headers: [("Accept-Language", "zh-CN")]).body.contains("Operator login"))
            try await browser.login(Self.secret)
            #expect(try await browser.send(.GET, "/admin?lang=zh").body.contains("各状态账号数"))
        }
    }

    @Test func anAccountFormReachesTheAccountManager() async throws {
        try await Self.with { proxy, browser in
            try await browser.login(Self.secret)
            let token = try await browser.csrf("/admin/accounts")
            let once = try Browser.field("once", in: try await browser.send(.GET, "/admin/accounts").body)
            let created = try await browser.send(.POST, "/admin/accounts", form: [
                ("csrf", token), ("once", once), ("id", "ui-account"), ("guildId", SandboxIDs.guildId), ("channelId", SandboxIDs.channelId(3)),
                ("userToken", SandboxIDs.accountToken(3)), ("remark", "from the form"), ("coreSize", "2"),
            ])
            #expect(created.status == 303)
            let record = try #require(await proxy.runtime.accounts.get(id: "ui-account")?.record)
            #expect(record.config.remark == "from the form" && record.config.coreSize == 2)
            let page = try await browser.send(.GET, "/admin/accounts")
            #expect(page.body.contains("id=\"account-ui-account\""))
            #expect(!page.body.contains(SandboxIDs.accountToken(3)))
            // The API's validation answers on the page: a wrong channel id.
            let nextOnce = try Browser.field("once", in: page.body)
            _ = try await browser.send(.POST, "/admin/accounts", form: [
                ("csrf", token), ("once", nextOnce), ("guildId", SandboxIDs.guildId), ("channelId", "12"), ("userToken", "t"),
            ])
            #expect(try await browser.send(.GET, "/admin/accounts").body.contains("invalid channelId"))
            // Edit: an empty token keeps the current one.
            _ = try await browser.send(.POST, "/admin/accounts/ui-account/update", form: [("csrf", token), ("remark", "edited"), ("userToken", "")])
            let edited = try #require(await proxy.runtime.accounts.get(id: "ui-account")?.record.config)
            #expect(edited.remark == "edited" && edited.userToken == SandboxIDs.accountToken(3))
        }
    }

    @Test func aCaptchaPauseShowsTheChallengeAndResumes() async throws {
        try await Self.with({ $0.apiSecret = nil; $0.sandbox.accounts = 1 }) { proxy, browser in
            try await browser.login(Self.secret)
            let (_, account) = try #require(await proxy.runtime.accounts.list().first)
            let live = try #require(account)
            let id = await live.snapshot().config.id
            await proxy.runtime.sandbox!.world.arm(.captcha, forToken: TestProxy.token(1))
            _ = try await proxy.waitFinished(try await proxy.imagine("captcha cat"))
            try await eventually("the pause") { await live.snapshot().state == .paused ? true : nil }
            let page = try await browser.send(.GET, "/admin/accounts")
            #expect(page.body.contains("Paused for verification"))
            #expect(page.body.contains("/captcha/"))
            let token = try await browser.csrf("/admin/accounts")
            #expect(try await browser.send(.POST, "/admin/accounts/\(id)/verified", form: [("csrf", token)]).status == 303)
            #expect(await live.snapshot().state == .ready)
            #expect(try await browser.send(.GET, "/admin/accounts").body.contains("Success"))
        }
    }

    @Test func theBannedWordEditorWritesTheFileAndTheListFollows() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-banned-\(UUID().uuidString).txt").path
        try "# words\nbloodbath\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await Self.with({ $0.apiSecret = nil; $0.bannedWordsFile = file; $0.bannedWords = ["configured-word"] }) { proxy, browser in
            try await browser.login(Self.secret)
            let page = try await browser.send(.GET, "/admin/banned")
            #expect(page.body.contains("bloodbath") && page.body.contains("configured-word"))
            let token = try await browser.csrf("/admin/banned")
            #expect(try await browser.send(.POST, "/admin/banned", form: [("csrf", token), ("words", "bloodbath\r\nzebra stripes")]).status == 303)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "bloodbath\nzebra stripes\n")
            try await eventually("the new word to be banned", timeout: .seconds(30), every: .milliseconds(200)) { () -> Bool? in
                let answer = try await proxy.post("/mj/submit/imagine", #"{"prompt":"zebra stripes on a horse"}"#)
                return answer["code"]?.intValue == 24 ? true : nil
            }
        }
    }

    @Test func withoutAnAdminSecretTheUIIsRefused() async throws {
        try await TestProxy.with(TestProxy.config()) { proxy in
            let page = try await proxy.request(.GET, "/admin")
            #expect(page.status == 403)
            #expect(page.body.contains("admin.secret"))
        }
    }

    @Test func aFormThatSendsAJobGoesToDiscordOnce() async throws {
        try await Self.with({ $0.apiSecret = nil }) { proxy, browser in
            try await browser.login(Self.secret)
            let page = try await browser.send(.GET, "/admin/tasks")
            let csrf = try Browser.field("csrf", in: page.body)
            let once = try Browser.field("once", in: page.body)
            // A double click sends the same rendered form twice: one imagine, both answers lead to it.
            let first = try await browser.send(.POST, "/admin/tasks", form: [("csrf", csrf), ("once", once), ("prompt", "double click cat")])
            let second = try await browser.send(.POST, "/admin/tasks", form: [("csrf", csrf), ("once", once), ("prompt", "double click cat")])
            let location = try #require(first.headers["Location"].first)
            #expect(first.status == 303 && location.hasPrefix("/admin/tasks/") && location != "/admin/tasks/")
            #expect(second.status == 303 && second.headers["Location"].first == location)
            #expect(try await browser.send(.GET, location).body.contains("already sent"))
            let imagines = try await proxy.runtime.registry.list(limit: 100, before: nil).filter { $0.prompt == "double click cat" }
            #expect(imagines.count == 1)
            // A form without its one-time token sends nothing.
            #expect(try await browser.send(.POST, "/admin/tasks", form: [("csrf", csrf), ("prompt", "double click cat")]).status == 400)
            let id = String(location.dropFirst("/admin/tasks/".count))
            _ = try await proxy.waitFinished(id)
            // A task's button pressed twice on one rendering: one job.
            let detail = try await browser.send(.GET, location)
            let customId = try Browser.field("customId", in: detail.body)
            let buttonOnce = try Browser.field("once", in: detail.body)
            let form = [("csrf", csrf), ("once", buttonOnce), ("customId", customId)]
            let pressed = try await browser.send(.POST, "\(location)/action", form: form)
            let again = try await browser.send(.POST, "\(location)/action", form: form)
            #expect(pressed.headers["Location"].first != location)
            #expect(again.headers["Location"].first == pressed.headers["Location"].first)
            #expect(try await proxy.runtime.registry.list(limit: 100, before: nil).filter { $0.parentId == id }.count == 1)
        }
    }

    @Test func accountIdsAreOnePathSegmentInLinksAndForms() async throws {
        try await Self.with { proxy, browser in
            try await browser.login(Self.secret)
            var page = try await browser.send(.GET, "/admin/accounts")
            let csrf = try Browser.field("csrf", in: page.body)
            // Two accounts whose ids decode alike ("%41" is "A" percent-decoded once more).
            for (n, id) in [(3, "A"), (4, "%41")] {
                page = try await browser.send(.GET, "/admin/accounts")
                let once = try Browser.field("once", in: page.body)
                _ = try await browser.send(.POST, "/admin/accounts", form: [
                    ("csrf", csrf), ("once", once), ("id", id), ("guildId", SandboxIDs.guildId), ("channelId", SandboxIDs.channelId(n)),
                    ("userToken", SandboxIDs.accountToken(n)),
                ])
            }
            #expect(await proxy.runtime.accounts.get(id: "%41") != nil)
            #expect(await proxy.runtime.accounts.get(id: "A") != nil)
            page = try await browser.send(.GET, "/admin/accounts")
            #expect(page.body.contains(#"action="/admin/accounts/%2541/disable""#))
            #expect(try await browser.send(.GET, "/admin/accounts/%2541").body.contains(#"action="/admin/accounts/%2541/delete""#))
            // The delete form of "%41" deletes "%41", never "A".
            #expect(try await browser.send(.POST, "/admin/accounts/%2541/delete", form: [("csrf", csrf)]).status == 303)
            #expect(await proxy.runtime.accounts.get(id: "%41") == nil)
            #expect(await proxy.runtime.accounts.get(id: "A") != nil)
            // The add form sent twice (a double click) adds one account, not two sessions on one Discord user.
            page = try await browser.send(.GET, "/admin/accounts")
            let once = try Browser.field("once", in: page.body)
            let add = [("csrf", csrf), ("once", once), ("guildId", SandboxIDs.guildId), ("channelId", SandboxIDs.channelId(5)), ("userToken", SandboxIDs.accountToken(5))]
            _ = try await browser.send(.POST, "/admin/accounts", form: add)
            _ = try await browser.send(.POST, "/admin/accounts", form: add)
            #expect(await proxy.runtime.accounts.list().filter { $0.record.config.userToken == SandboxIDs.accountToken(5) }.count == 1)
            // Query values are decoded once, `+` a space (as a GET form sends them).
            let filtered = try await browser.send(.GET, "/admin/tasks?account=%2541+b")
            #expect(filtered.body.contains(#"name="account" value="%41 b""#))
        }
    }

    @Test func hostileTaskValuesAndRequestsAreHarmless() async throws {
        try await Self.with { proxy, browser in
            try await browser.login(Self.secret)
            var task = MJTask(id: "9000000000000001", action: .imagine, botType: .midJourney, prompt: #"<script>alert(1)</script>"#, submitTime: 1)
            task.status = .success
            task.imageUrl = "javascript:alert(2)"
            task.buttons = [TaskButton(customId: #"x"><script>alert(3)</script>"#, emoji: "🔄", label: #"" onclick="alert(4)"#)]
            try await proxy.runtime.registry.create(task)
            let page = try await browser.send(.GET, "/admin/tasks/9000000000000001")
            #expect(page.status == 200)
            #expect(!page.body.contains("javascript:") && !page.body.contains("<script>alert"))
            #expect(!page.body.contains(#"" onclick="#))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            // Other methods: 405 with the allowed ones; an oversized form: 413, nothing read.
            let put = try await browser.send(.PUT, "/admin/accounts")
            #expect(put.status == 405 && put.headers["Allow"].first == "GET, HEAD, POST")
            let csrf = try await browser.csrf("/admin/banned")
            let big = try await browser.send(.POST, "/admin/banned", form: [("csrf", csrf), ("words", String(repeating: "a", count: 2 << 20))])
            #expect(big.status == 413)
        }
    }
}
