import AsyncHTTPClient
import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Storage
import Testing

@testable import MJProxy

/// The account API (contract §6) end to end against the sandbox: CRUD with the admin secret
/// enforced and tokens masked, the effects on scheduling, and accounts surviving a restart.
@Suite struct AccountAPITests {
    static let admin = [("mj-admin-secret", "adm1n-secret")]
    static let api = [("mj-api-secret", "api-secret")]

    static func createBody(id: String, channel: Int, token: String, extra: String = "") -> String {
        #"{"id":"\#(id)","guildId":"\#(SandboxIDs.guildId)","channelId":"\#(SandboxIDs.channelId(channel))","userToken":"\#(token)"\#(extra)}"#
    }

    /// Waits until the account's view reports `status`.
    static func waitStatus(_ proxy: TestProxy, _ id: String, _ status: String, headers: [(String, String)] = admin) async throws {
        try await eventually("account \(id) to be \(status)") { () -> Bool? in
            try await proxy.get("/mj/account/\(id)/fetch", headers: headers)["status"]?.stringValue == status ? true : nil
        }
    }

    @Test func crudWithAdminSecretAndMaskedTokens() async throws {
        // Only the admin secret: the task API is open, the account API is not.
        let config = TestProxy.config { $0.adminSecret = "adm1n-secret" }
        try await TestProxy.with(config) { proxy in
            // Reads: the admin secret (or the API secret when set); nothing → 401.
            #expect(try await proxy.request(.GET, "/mj/account/list").status == 401)
            let listed = try await proxy.get("/mj/account/list", headers: Self.admin)
            #expect(listed.arrayValue?.count == 2)
            #expect(listed.arrayValue?.first?["userToken"]?.stringValue == "sandbo***")

            // Mutations: only the admin secret.
            let body = Self.createBody(id: "acc-3", channel: 3, token: "sandbox-token-3", extra: #","coreSize":2,"remark":"made by api""#)
            let refused = try await proxy.request(.POST, "/mj/account/create", body: body, headers: [("mj-admin-secret", "wrong")])
            #expect(refused.status == 401)
            #expect(refused.body.contains("\"code\":401"))
            let created = try await proxy.post("/mj/account/create", body, headers: Self.admin)
            #expect(created["code"] == 1)
            #expect(created["description"]?.stringValue == "Success")
            #expect(created["result"]?.stringValue == "acc-3")

            // Validation per contract.
            let dup = try await proxy.post("/mj/account/create", body, headers: Self.admin)
            #expect(dup["code"] == 4)
            #expect(dup["description"]?.stringValue == "account already exists: acc-3")
            let noToken = try await proxy.post(
                "/mj/account/create", #"{"guildId":"\#(SandboxIDs.guildId)","channelId":"\#(SandboxIDs.channelId(4))"}"#, headers: Self.admin)
            #expect(noToken["description"]?.stringValue == "userToken must not be empty")
            let badCore = try await proxy.post(
                "/mj/account/create", Self.createBody(id: "acc-4", channel: 4, token: "t", extra: #","coreSize":99"#), headers: Self.admin)
            #expect(badCore["description"]?.stringValue == "invalid coreSize")
            let badChannel = try await proxy.post(
                "/mj/account/create", #"{"guildId":"\#(SandboxIDs.guildId)","channelId":"12","userToken":"t"}"#, headers: Self.admin)
            #expect(badChannel["description"]?.stringValue == "invalid channelId")

            // The new account connects; its token never leaves the proxy.
            try await Self.waitStatus(proxy, "acc-3", "CONNECTED")
            let view = try await proxy.get("/mj/account/acc-3/fetch", headers: Self.admin)
            #expect(view["userToken"]?.stringValue == "sandbo***")
            #expect(view["coreSize"] == 2)
            #expect(view["remark"]?.stringValue == "made by api")
            #expect(view["enable"] == true)
            #expect(view["dateCreated"]?.intValue ?? 0 > 0)
            let all = try await proxy.request(.GET, "/mj/account/list", headers: Self.admin)
            #expect(!all.body.contains("sandbox-token-"), "no clear token in any answer")

            // A view sent back (masked token) changes only what changed.
            var roundTrip = view
            if case .object(var pairs) = roundTrip {
                pairs = pairs.map { $0.0 == "coreSize" ? ($0.0, 4) : $0 }
                roundTrip = .object(pairs.filter { ["userToken", "coreSize", "remark", "guildId", "channelId"].contains($0.0) })
            }
            let updated = try await proxy.request(.PUT, "/mj/account/acc-3/update", body: roundTrip.compactString, headers: Self.admin)
            #expect(try JSONValue.parse(updated.body)["code"] == 1)
            #expect(try await proxy.get("/mj/account/acc-3/fetch", headers: Self.admin)["coreSize"] == 4)
            #expect(await proxy.runtime.accounts.get(id: "acc-3")?.record.config.userToken == "sandbox-token-3", "masked token ignored")

            // It takes tasks when a filter asks for it.
            let filter = #","accountFilter":{"instanceId":"acc-3"}"#
            let id = try await proxy.imagine("a fox", extra: filter)
            let done = try await proxy.waitFinished(id)
            #expect(done.task["status"]?.stringValue == "SUCCESS")
            #expect(done.task["properties"]?["discordInstanceId"]?.stringValue == "acc-3")

            // Disabled: no new tasks; enabled again: it takes them again.
            #expect(try await proxy.post("/mj/account/acc-3/disable", "", headers: Self.admin)["code"] == 1)
            let off = try await proxy.get("/mj/account/acc-3/fetch", headers: Self.admin)
            #expect(off["status"]?.stringValue == "DISABLED")
            #expect(off["enable"] == false)
            let refusedTask = try await proxy.post("/mj/submit/imagine", #"{"prompt":"a fox"\#(filter)}"#)
            #expect(refusedTask["code"] != 1 && refusedTask["code"] != 22)
            #expect(try await proxy.post("/mj/account/acc-3/enable", "", headers: Self.admin)["code"] == 1)
            try await Self.waitStatus(proxy, "acc-3", "CONNECTED")

            // Reconnect: a new session, the account keeps serving.
            #expect(try await proxy.post("/mj/account/acc-3/reconnect", "", headers: Self.admin)["code"] == 1)
            try await Self.waitStatus(proxy, "acc-3", "CONNECTED")
            let again = try await proxy.imagine("a second fox", extra: filter)
            #expect(try await proxy.waitFinished(again).task["status"]?.stringValue == "SUCCESS")

            // Delete: gone from the API, the pool and the store.
            let deleted = try await proxy.request(.DELETE, "/mj/account/acc-3/delete", headers: Self.admin)
            #expect(try JSONValue.parse(deleted.body)["code"] == 1)
            let missing = try await proxy.request(.GET, "/mj/account/acc-3/fetch", headers: Self.admin)
            #expect(missing.status == 404)
            #expect(try JSONValue.parse(missing.body)["description"]?.stringValue == "account not found")
            #expect(await proxy.runtime.pool.account(id: "acc-3") == nil)
            #expect(try await proxy.post("/mj/account/acc-3/enable", "", headers: Self.admin)["code"] == 4)
        }
    }

    @Test func withoutAdminSecretMutationsAreRefused() async throws {
        try await TestProxy.with(TestProxy.config { $0.apiSecret = "api-secret" }) { proxy in
            let r = try await proxy.request(
                .POST, "/mj/account/create", body: Self.createBody(id: "x", channel: 3, token: "sandbox-token-3"), headers: Self.api)
            #expect(r.status == 403)
            #expect(r.body == #"{"code":403,"description":"admin API disabled: no admin secret configured"}"#)
            #expect(try await proxy.request(.POST, "/mj/account/\(SandboxIDs.channelId(1))/disable", headers: Self.api).status == 403)
            #expect(try await proxy.request(.GET, "/mj/account/list", headers: Self.api).status == 200, "reads stay available")
            #expect(try await proxy.request(.GET, "/mj/account/list").status == 401)
        }
    }

    @Test func restartKeepsAccountsAndTheirSettings() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-accounts-\(UUID().uuidString).sqlite").path
        let config = TestProxy.config(storePath: path) {
            $0.adminSecret = "adm1n-secret"
            $0.sandbox.enabled = true
        }
        let remix = try await TestProxy.with(config) { proxy -> Bool in
            let body = Self.createBody(id: "kept", channel: 3, token: "sandbox-token-3", extra: #","coreSize":5,"weight":3,"remark":"survivor""#)
            #expect(try await proxy.post("/mj/account/create", body, headers: Self.admin)["code"] == 1)
            let update = try await proxy.request(.PUT, "/mj/account/kept/update", body: #"{"queueSize":7,"timeoutMinutes":9}"#, headers: Self.admin)
            #expect(try JSONValue.parse(update.body)["code"] == 1)
            try await Self.waitStatus(proxy, "kept", "CONNECTED")
            // What the bot told the account (remix from /settings after connect) is kept too.
            return try await eventually("remix read from /settings") { () -> Bool? in
                try await proxy.get("/mj/account/kept/fetch", headers: Self.admin)["mjRemix"]?.boolValue
            }
        }
        try await TestProxy.with(config) { proxy in
            let view = try await proxy.get("/mj/account/kept/fetch", headers: Self.admin)
            #expect(view["coreSize"] == 5)
            #expect(view["weight"] == 3)
            #expect(view["queueSize"] == 7)
            #expect(view["timeoutMinutes"] == 9)
            #expect(view["remark"]?.stringValue == "survivor")
            #expect(view["origin"]?.stringValue == "api")
            #expect(view["mjRemix"]?.boolValue == remix)
            try await Self.waitStatus(proxy, "kept", "CONNECTED")
            let list = try await proxy.get("/mj/account/list", headers: Self.admin)
            #expect(list.arrayValue?.count == 3, "two sandbox users (not stored) and the stored account")
            let id = try await proxy.imagine("a kept fox", extra: #","accountFilter":{"instanceId":"kept"}"#)
            #expect(try await proxy.waitFinished(id).task["status"]?.stringValue == "SUCCESS")
        }
    }
}
