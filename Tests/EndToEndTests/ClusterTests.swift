import DiscordKit
import Foundation
import PostgresNIO
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy
@testable import PostgresStorage

/// Two whole proxies on one PostgreSQL schema, their accounts on one sandbox (the first proxy's):
/// accounts spread by lease, a task submitted to one instance runs on the account the other holds,
/// every read and live event answers the same on both, a graceful stop hands the accounts over.
@Suite struct ClusterTests {
    /// A fresh schema URL on the test server.
    static func schemaURL() throws -> (url: String, schema: String) {
        guard let base = PostgresPersistenceTests.url else {
            throw TestFailure("MJPROXY_TEST_POSTGRES_URL is not set: the PostgreSQL store cannot be tested (run ./scripts/test)")
        }
        let schema = "clu_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return (base + (base.contains("?") ? "&" : "?") + "schema=\(schema)&pool=4", String(schema))
    }

    /// The instance's `/ready` held accounts.
    static func held(_ proxy: TestProxy) async throws -> [String] {
        let ready = try await proxy.get("/ready")
        return ready["heldAccounts"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    @Test(.enabled(if: PostgresPersistenceTests.runs)) func twoInstancesShareAccountsTasksAndEvents() async throws {
        let (url, schema) = try Self.schemaURL()
        @Sendable func clustered(_ c: inout AppConfig, _ id: String) {
            c.storeURL = url
            c.instance.id = id
            c.instance.leaseSeconds = 3
            c.instance.renewSeconds = 0.3
            c.sandbox.speedFactor = 0.1
            c.adminSecret = "adm1n"
        }
        let admin = [("mj-admin-secret", "adm1n")]
        do {
            try await TestProxy.with(TestProxy.config { clustered(&$0, "alpha") }) { a in
                let (endpoints, accounts) = a.runtime.accountConfigs(sandboxBase: a.runtime.sandbox?.localBaseURL)
                let configB = TestProxy.config {
                    clustered(&$0, "beta")
                    $0.sandbox.enabled = false
                    $0.discord = endpoints
                    $0.accounts = accounts
                }
                try await TestProxy.with(configB) { b in
                    let (heldA, heldB) = try await eventually("one account held by each instance") { () -> ([String], [String])? in
                        let ha = try await Self.held(a)
                        let hb = try await Self.held(b)
                        return ha.count == 1 && hb.count == 1 && ha != hb ? (ha, hb) : nil
                    }
                    #expect(try await a.get("/ready")["instance"]?.stringValue == "alpha")
                    // Both instances list both accounts, each with its holder.
                    for proxy in [a, b] {
                        let list = try await eventually("holders in the account list") { () -> [String: String]? in
                            var holders: [String: String] = [:]
                            for account in try await proxy.get("/mj/account/list", headers: admin).arrayValue ?? [] {
                                if let id = account["id"]?.stringValue, let h = account["properties"]?["instance"]?.stringValue { holders[id] = h }
                            }
                            return holders.count == 2 ? holders : nil
                        }
                        #expect(list == [heldA[0]: "alpha", heldB[0]: "beta"])
                    }

                    // Submitted to alpha for beta's account: beta runs it; both instances answer the same.
                    let answer = try await a.post(
                        "/mj/submit/imagine", #"{"prompt":"a harbour seen from alpha","accountFilter":{"instanceId":"\#(heldB[0])"}}"#)
                    #expect(answer["code"]?.intValue == 1, "\(answer)")
                    let id = try #require(answer["result"]?.stringValue)
                    let frames = try await a.readEvents("/mj/task/\(id)/events").frames
                    #expect(frames.last?.event == "task.success", "\(frames.map { $0.event ?? "" })")
                    #expect(frames.filter { $0.event != nil }.count >= 3, "changes made on beta reached alpha's subscriber: \(frames.map { $0.event ?? "" })")
                    let (onB, _) = try await b.waitFinished(id)
                    #expect(onB["status"]?.stringValue == "SUCCESS")
                    #expect(onB["properties"]?["discordInstanceId"]?.stringValue == heldB[0])
                    #expect(try await a.get("/mj/task/\(id)/fetch") == onB, "alpha's answer is not a stale copy")
                    // A button of that task pressed on alpha: the job runs on beta's account, where the buttons are.
                    let u1 = try #require(onB["buttons"]?.arrayValue?.compactMap { $0["customId"]?.stringValue }.first { $0.contains("upsample::1") })
                    let action = try await a.post("/mj/submit/action", #"{"taskId":"\#(id)","customId":"\#(u1)"}"#)
                    #expect(action["code"]?.intValue == 1, "\(action)")
                    let (upscaled, _) = try await a.waitFinished(try #require(action["result"]?.stringValue))
                    #expect(upscaled["status"]?.stringValue == "SUCCESS" && upscaled["action"]?.stringValue == "UPSCALE", "\(upscaled)")
                    #expect(upscaled["properties"]?["discordInstanceId"]?.stringValue == heldB[0])
                    // A modal of beta's account: opened on alpha, seen MODAL on beta, submitted on beta's peer (alpha), run by beta.
                    let zoomButton = try #require(upscaled["buttons"]?.arrayValue?.compactMap { $0["customId"]?.stringValue }.first { $0.hasPrefix("MJ::CustomZoom::") })
                    let zoom = try await a.post("/mj/submit/action", #"{"taskId":"\#(try #require(upscaled["id"]?.stringValue))","customId":"\#(zoomButton)"}"#)
                    #expect(zoom["code"]?.intValue == 21, "\(zoom)")
                    let zoomId = try #require(zoom["result"]?.stringValue)
                    #expect(try await b.get("/mj/task/\(zoomId)/fetch")["status"]?.stringValue == "MODAL")
                    let submitted = try await a.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)","prompt":"a harbour seen from alpha --zoom 1.5"}"#)
                    #expect(submitted["code"]?.intValue == 1, "\(submitted)")
                    #expect(try await b.post("/mj/submit/modal", #"{"taskId":"\#(zoomId)","prompt":"again --zoom 1.5"}"#)["code"]?.intValue == 4, "submitted once only")
                    let (zoomed, _) = try await b.waitFinished(zoomId)
                    #expect(zoomed["status"]?.stringValue == "SUCCESS" && zoomed["action"]?.stringValue == "CUSTOM_ZOOM", "\(zoomed)")

                    // Cancelled on alpha while beta runs it: beta stops it, both answer CANCEL, a second cancel is refused.
                    let n = try #require(Int64(heldB[0])) - 1_172_000_000_000_000_001
                    await a.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(Int(n)))
                    let stuck = try await a.post(
                        "/mj/submit/imagine", #"{"prompt":"a harbour nobody answers","accountFilter":{"instanceId":"\#(heldB[0])"}}"#)
                    let stuckId = try #require(stuck["result"]?.stringValue)
                    try await eventually("beta to send the job") {
                        try await b.get("/mj/task/\(stuckId)/fetch")["status"]?.stringValue == "SUBMITTED" ? true : nil
                    }
                    let cancel = try await a.post("/mj/task/\(stuckId)/cancel", "{}")
                    #expect(cancel["code"]?.intValue == 1, "\(cancel)")
                    try await eventually("beta to show the cancel") {
                        try await b.get("/mj/task/\(stuckId)/fetch")["status"]?.stringValue == "CANCEL" ? true : nil
                    }
                    #expect(try await a.get("/mj/task/\(stuckId)/fetch")["status"]?.stringValue == "CANCEL")
                    #expect(try await b.post("/mj/task/\(stuckId)/cancel", "{}")["code"]?.intValue == 4)

                    // Disabled through beta's API while alpha runs it: alpha stops it and nobody holds it; enabled again, it runs again.
                    #expect(try await b.post("/mj/account/\(heldA[0])/disable", "", headers: admin)["code"]?.intValue == 1)
                    try await eventually("alpha to give the disabled account up") {
                        let fetched = try await a.get("/mj/account/\(heldA[0])/fetch", headers: admin)
                        return try await Self.held(a).isEmpty && fetched["enable"] == false ? true : nil
                    }
                    #expect(try await b.post("/mj/account/\(heldA[0])/enable", "", headers: admin)["code"]?.intValue == 1)
                    try await eventually("the account held again") {
                        let all = try await Self.held(a) + Self.held(b)
                        return Set(all) == Set(heldA + heldB) ? true : nil
                    }

                    // Several at once on both instances, each read from the other one.
                    var ids: [(String, TestProxy)] = []
                    for n in 0..<6 {
                        let (submit, read) = n % 2 == 0 ? (a, b) : (b, a)
                        ids.append((try await submit.imagine("lighthouse \(n)"), read))
                    }
                    for (id, read) in ids {
                        let (task, _) = try await read.waitFinished(id, timeout: .seconds(120))
                        #expect(task["status"]?.stringValue == "SUCCESS", "\(task)")
                    }
                }
                // beta stopped gracefully: alpha takes its account without waiting for the lease to expire.
                try await eventually("alpha to hold both accounts", timeout: .seconds(30)) { try await Self.held(a).count == 2 ? true : nil }
            }
            _ = try await PostgresPersistenceTests.sql(try PostgresStoreConfiguration(url: url), PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        } catch {
            _ = try? await PostgresPersistenceTests.sql(try PostgresStoreConfiguration(url: url), PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
            throw error
        }
    }
}
