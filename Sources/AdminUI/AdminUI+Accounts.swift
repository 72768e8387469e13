import DiscordKit
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import ProxyCore

extension AdminUI {
    /// The accounts page: the account API's list (tokens masked there), with the captcha pause of
    /// the running account (challenge link, resume button) and a form to add one.
    func accountList(_ page: inout AdminRequest) async -> Response {
        let list = await AdminHTTP.json(await api.perform(.get, "/mj/account/list"))?.arrayValue ?? []
        var rows: [[String: Any]] = []
        for item in list {
            guard var row = Self.mustache(item) as? [String: Any], let id = item["id"]?.stringValue else { continue }
            // In URLs the id is one percent-encoded path segment (an id may hold `%`, `?`, `#`, `..`).
            row["path"] = AdminHTTP.escape(id)
            row["enabled"] = item["enable"]?.boolValue ?? false
            let remix = item["mjRemix"]?.boolValue
            row["remix"] = remix.map { $0 ? "ON" : "OFF" } ?? "—"
            row["remixNext"] = remix == true ? "false" : "true"
            row["remixLabel"] = page.texts[remix == true ? "remixOff" : "remixOn"]
            let mode = item["mode"]?.stringValue
            row["modes"] = SpeedMode.allCases.map { ["name": $0.rawValue, "on": $0.rawValue == mode] as [String: Any] }
            row["fastTime"] = item["fastTimeRemaining"]?.stringValue ?? "—"
            row["running"] = item["runningCount"]?.intValue ?? 0
            row["queued"] = item["queueCount"]?.intValue ?? 0
            if let accounts, let (_, account) = await accounts.get(id: id), let account, let pause = await account.snapshot().verification {
                var captcha: [String: Any] = ["message": pause.message]
                if let link = pause.challengeURL, let scheme = URL(string: link)?.scheme?.lowercased(), scheme == "https" || scheme == "http" { captcha["link"] = link }
                row["captcha"] = captcha
            }
            rows.append(row)
        }
        return render(&page, "accounts", title: page.texts["accounts"], ["accounts": rows])
    }

    /// The edit form of one account (values from the account API's view).
    func accountEdit(_ page: inout AdminRequest, id: String) async -> Response {
        let response = await api.perform(.get, "/mj/account/\(AdminHTTP.escape(id))/fetch")
        guard response.status == .ok, let json = await AdminHTTP.json(response), var values = Self.mustache(json) as? [String: Any] else {
            return notFound(&page)
        }
        values["id"] = id
        values["path"] = AdminHTTP.escape(id)
        return render(&page, "account", title: page.texts["editAccount"], values)
    }

    /// `POST /admin/accounts`: the account API's create with the form's fields.
    func accountCreate(_ page: inout AdminRequest) async -> Response {
        // Once per rendered form: a double click must not add the same token twice (two sessions on one Discord user).
        if let refused = await claimOnce(&page, scope: "account-create", otherwise: "/admin/accounts").refused { return refused }
        let json = await perform(page, .post, "/mj/account/create", body: Self.accountBody(page.form))
        if json?["code"]?.intValue == 1, let id = json?["result"]?.stringValue, !id.isEmpty { logger.info("admin created account", metadata: ["accountId": "\(id)"]) }
        return AdminHTTP.redirect("/admin/accounts")
    }

    /// `POST /admin/accounts/{id}/{operation}`: the account API's route of the same name.
    func accountOperation(_ page: inout AdminRequest, id: String, operation: String) async -> Response {
        let base = "/mj/account/\(AdminHTTP.escape(id))"
        switch operation {
        case "update":
            await perform(page, .put, "\(base)/update", body: Self.accountBody(page.form))
            return AdminHTTP.redirect("/admin/accounts/\(AdminHTTP.escape(id))")
        case "enable", "disable", "reconnect", "sync-info", "verified":
            await perform(page, .post, "\(base)/\(operation)")
        case "delete":
            await perform(page, .delete, "\(base)/delete")
        case "change-mode":
            await perform(page, .post, "\(base)/change-mode", body: ["botType": "MID_JOURNEY", "mode": .string(page.form["mode"] ?? "")])
        case "change-remix":
            await perform(page, .post, "\(base)/change-remix", body: ["botType": "MID_JOURNEY", "remix": .bool(page.form["remix"] == "true")])
        default:
            return notFound(&page)
        }
        return AdminHTTP.redirect("/admin/accounts")
    }

    /// The JSON body of an account form: empty fields are not sent (an empty token keeps the current
    /// one); numeric fields as numbers when they are (the API reports anything else as a wrong type).
    static func accountBody(_ form: [String: String]) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for key in ["id", "guildId", "channelId", "userToken", "userAgent", "remark"] {
            if let v = form[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { pairs.append((key, .string(v))) }
        }
        for key in ["coreSize", "queueSize", "weight", "timeoutMinutes"] {
            guard let v = form[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { continue }
            if let i = Int64(v) {
                pairs.append((key, .int(i)))
            } else if let d = Double(v), d.isFinite {
                pairs.append((key, .double(d)))
            } else {
                pairs.append((key, .string(v)))
            }
        }
        return .object(pairs)
    }
}
