import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// `GET /metrics`: the series an operator scrapes, with the labels and values an imagine produces,
/// bounded labels (route templates, never ids), and the endpoint's secret rules.
@Suite struct MetricsTests {
    /// Scrapes `/metrics` (with `headers`) and parses it; fails on a non-200 answer.
    static func scrape(_ proxy: TestProxy, headers: [(String, String)] = []) async throws -> PrometheusText {
        let r = try await proxy.request(.GET, "/metrics", headers: headers)
        guard r.status == 200 else { throw TestFailure("GET /metrics answered \(r.status): \(r.body)") }
        #expect(r.headers.first(name: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        return try PrometheusText(r.body)
    }

    @Test func imagineShowsTaskHTTPDiscordWebhookAndAccountSeries() async throws {
        let router = Router()
        router.post("/hook") { _, _ in Response(status: .ok) }
        try await withLocalServer(router) { port in
            let config = TestProxy.config { $0.outboundAllowPrivateNetworks = true }  // the receiver is on loopback
            try await TestProxy.with(config) { proxy in
                let id = try await proxy.imagine("metrics cat", extra: #","notifyHook":"http://127.0.0.1:\#(port)/hook""#)
                let (task, _) = try await proxy.waitFinished(id)
                #expect(task["status"]?.stringValue == "SUCCESS")
                // Requests whose raw paths carry ids or junk: their labels must not.
                _ = try await proxy.request(.GET, "/mj/task/4040404040404/fetch")
                _ = try await proxy.request(.GET, "/no/such/path-xyzzy")
                // Webhook deliveries happen after the task ends: wait for the success one and an empty outbox.
                let m = try await eventually("the webhook deliveries to be counted") { () -> PrometheusText? in
                    let m = try await Self.scrape(proxy)
                    return m.sum("mjproxy_webhook_deliveries_total", where: ["result": "ok"]) >= 1
                        && m.value("mjproxy_webhook_outbox_depth") == 0 ? m : nil
                }
                // Tasks: one imagine submitted and finished; its wait and run time observed once.
                #expect(m.value("mjproxy_tasks_submitted_total", ["action": "IMAGINE"]) == 1)
                #expect(m.value("mjproxy_tasks_finished_total", ["action": "IMAGINE", "status": "SUCCESS"]) == 1)
                #expect(m.sum("mjproxy_tasks_finished_total") == 1)
                #expect(m.value("mjproxy_task_wait_seconds_count", ["action": "IMAGINE"]) == 1)
                #expect(m.value("mjproxy_task_run_seconds_count", ["action": "IMAGINE"]) == 1)
                #expect((m.value("mjproxy_task_run_seconds_sum", ["action": "IMAGINE"]) ?? 0) > 0)
                #expect(m.value("mjproxy_task_run_seconds_bucket", ["action": "IMAGINE", "le": "+Inf"]) == 1)
                // HTTP: by method, route template and status, with latency.
                #expect(m.value("mjproxy_http_requests_total", ["method": "POST", "route": "/mj/submit/imagine", "status": "200"]) == 1)
                #expect(m.value("mjproxy_http_request_duration_seconds_count", ["method": "POST", "route": "/mj/submit/imagine"]) == 1)
                #expect((m.value("mjproxy_http_requests_total", ["method": "GET", "route": "/mj/task/{id}/fetch", "status": "200"]) ?? 0) >= 1)
                #expect(m.value("mjproxy_http_requests_total", ["method": "GET", "route": "/mj/task/{id}/fetch", "status": "404"]) == 1)
                #expect(m.value("mjproxy_http_requests_total", ["method": "GET", "route": "unmatched", "status": "404"]) == 1)
                let labels = m.allLabelValues
                #expect(!labels.contains { $0.contains(id) || $0.contains("4040404040404") || $0.contains("xyzzy") }, "\(labels)")
                // Discord REST by route template: the interaction and the token checks of both accounts.
                #expect(m.sum("mjproxy_discord_requests_total", where: ["route": "POST /interactions", "status": "204"]) >= 1)
                #expect(m.sum("mjproxy_discord_requests_total", where: ["route": "GET /users/@me", "status": "200"]) >= 2)
                #expect(m.sum("mjproxy_discord_rate_limited_total") == 0)
                let discordLabels = m.samples.filter { $0.name.hasPrefix("mjproxy_discord_") }.flatMap { $0.labels.values }
                #expect(!discordLabels.isEmpty && !discordLabels.contains { $0.contains(SandboxIDs.channelId(1)) || $0.contains(SandboxIDs.guildId) })
                // Gateway: both accounts identified once.
                #expect((m.value("mjproxy_gateway_sessions_total") ?? 0) >= 2)
                // Accounts: both ready, nothing queued or running any more.
                #expect(m.value("mjproxy_accounts", ["state": "READY"]) == 2)
                #expect(m.value("mjproxy_accounts", ["state": "DISABLED"]) == 0)
                let accountIds = await proxy.runtime.pool.all.map { $0.config.id }
                #expect(accountIds.count == 2)
                for account in accountIds {
                    #expect(m.value("mjproxy_account_queue_depth", ["account": account]) == 0)
                    #expect(m.value("mjproxy_account_running_jobs", ["account": account]) == 0)
                }
                // Webhooks: the task's deliveries went out; none retried.
                #expect(m.sum("mjproxy_webhook_deliveries_total", where: ["result": "retry"]) == 0)
                // No token in the exposition.
                let raw = try await proxy.request(.GET, "/metrics").body
                #expect(!raw.contains("sandbox-token"))
            }
        }
    }

    @Test func runningJobAndQueueAreGaugedPerAccount() async throws {
        let config = TestProxy.config {
            $0.sandbox.accounts = 1
            $0.sandbox.speedFactor = 0.2
        }
        try await TestProxy.with(config) { proxy in
            let account = try #require(await proxy.runtime.pool.all.first?.config.id)
            let first = try await proxy.imagine("slow one")
            let second = try await proxy.imagine("slow two")
            let third = try await proxy.imagine("slow three")
            let fourth = try await proxy.imagine("slow four")
            // The sandbox account runs 3 at once (default core size): one waits.
            try await eventually("a running job and a waiting one") { () -> Bool? in
                let m = try await Self.scrape(proxy)
                let running = m.value("mjproxy_account_running_jobs", ["account": account]) ?? 0
                let queued = m.value("mjproxy_account_queue_depth", ["account": account]) ?? 0
                return running >= 1 && queued >= 1 ? true : nil
            }
            for id in [first, second, third, fourth] { _ = try await proxy.waitFinished(id) }
            let m = try await Self.scrape(proxy)
            #expect(m.value("mjproxy_account_running_jobs", ["account": account]) == 0)
            #expect(m.value("mjproxy_tasks_submitted_total", ["action": "IMAGINE"]) == 4)
            #expect(m.value("mjproxy_task_wait_seconds_count", ["action": "IMAGINE"]) == 4)
        }
    }

    @Test func rateLimitsReconnectsAndResumesAreCounted() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let sandbox = try #require(proxy.runtime.sandbox)
            await sandbox.world.arm(.rateLimit, forToken: TestProxy.token(1))
            let (task, _) = try await proxy.waitFinished(try await proxy.imagine("rate limited once"))
            #expect(task["status"]?.stringValue == "SUCCESS")
            var m = try await Self.scrape(proxy)
            #expect(m.value("mjproxy_discord_rate_limited_total", ["route": "POST /interactions"]) == 1)
            #expect(m.value("mjproxy_discord_requests_total", ["route": "POST /interactions", "status": "429"]) == 1)
            #expect(m.value("mjproxy_gateway_resumes_total") == nil || m.value("mjproxy_gateway_resumes_total") == 0)
            // A dropped connection (close 4000): the client reconnects and resumes.
            #expect(await sandbox.world.dropConnections(token: TestProxy.token(1)) == 1)
            m = try await eventually("the resume to be counted") { () -> PrometheusText? in
                let m = try await Self.scrape(proxy)
                return (m.value("mjproxy_gateway_resumes_total") ?? 0) >= 1 ? m : nil
            }
            #expect((m.value("mjproxy_gateway_reconnects_total") ?? 0) >= 1)
            #expect(m.value("mjproxy_gateway_sessions_total") == 1)
        }
    }

    @Test func metricsSecretGuardsTheEndpoint() async throws {
        let config = TestProxy.config {
            $0.apiSecret = "api-secret-1"
            $0.adminSecret = "admin-secret-1"
            $0.metrics.secret = "metrics-secret-1"
        }
        try await TestProxy.with(config, waitReady: false) { proxy in
            for headers in [[], [("Authorization", "Bearer api-secret-1")], [("Authorization", "Bearer wrong")], [("mj-api-secret", "api-secret-1")]] {
                let r = try await proxy.request(.GET, "/metrics", headers: headers)
                #expect(r.status == 401, "\(headers)")
                let body = try JSONValue.parse(r.body)
                #expect(body["code"]?.intValue == 401)
            }
            for headers in [
                [("Authorization", "Bearer metrics-secret-1")], [("Authorization", "metrics-secret-1")], [("mj-api-secret", "metrics-secret-1")],
                [("mj-admin-secret", "admin-secret-1")],
            ] {
                let r = try await proxy.request(.GET, "/metrics", headers: headers)
                #expect(r.status == 200, "\(headers)")
                for secret in ["api-secret-1", "admin-secret-1", "metrics-secret-1"] { #expect(!r.body.contains(secret)) }
            }
            // Wrong methods get the API's 405.
            let post = try await proxy.request(.POST, "/metrics", body: "{}").status
            #expect(post == 405)
        }
    }

    @Test func withoutMetricsSecretTheAPISecretsApply() async throws {
        let config = TestProxy.config {
            $0.apiSecret = "api-secret-2"
            $0.adminSecret = "admin-secret-2"
        }
        try await TestProxy.with(config, waitReady: false) { proxy in
            let none = try await proxy.request(.GET, "/metrics").status
            let wrong = try await proxy.request(.GET, "/metrics", headers: [("Authorization", "Bearer nope")]).status
            let api = try await proxy.request(.GET, "/metrics", headers: [("Authorization", "Bearer api-secret-2")]).status
            let admin = try await proxy.request(.GET, "/metrics", headers: [("mj-admin-secret", "admin-secret-2")]).status
            let statuses: [Int] = [none, wrong, api, admin]
            #expect(statuses == [401, 401, 200, 200])
        }
    }

    @Test func disabledMetricsAreNotServed() async throws {
        let config = TestProxy.config { $0.metrics.enabled = false }
        try await TestProxy.with(config, waitReady: false) { proxy in
            let r = try await proxy.request(.GET, "/metrics")
            #expect(r.status == 404)
            #expect(try JSONValue.parse(r.body)["code"]?.intValue == 404)
        }
    }
}
