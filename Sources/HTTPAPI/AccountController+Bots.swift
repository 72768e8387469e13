import DiscordKit
import Foundation
import Hummingbird
import ProxyCore

/// The account routes that talk to the bots (contract §6): sync-info, change-mode, change-remix,
/// change-version, action (a `/settings` button), and `verified` (a captcha was solved). They run
/// on the live account; the account's JSON follows what the bot confirmed. A bot that does not
/// confirm answers code 4 with the reason.
extension AccountController {
    /// The running account with the route's id (404 V41 otherwise).
    private func live(_ r: RouteRequest) async -> (String, DiscordAccount)? {
        guard let id = r.parameters["id"], let (_, account) = await manager.get(id: id), let account else { return nil }
        return (id, account)
    }

    /// Runs a bot operation; its failure is answered code 4 with the reason, success is stored.
    private func botCall(_ id: String, _ what: String, _ body: () async throws -> Void) async -> Response {
        do {
            try await body()
        } catch {
            return APIResponder.json(SubmitResult(code: 4, description: text("A1", ["what": what, "detail": "\(error)"])).json)
        }
        await manager.persistStates()
        return success(id)
    }

    /// `botType` of a body or query (`MID_JOURNEY` when absent; V11 when unknown; InsightFace has no settings).
    private func bot(_ text: String?) throws(APIValidationError) -> BotType {
        guard let text, !text.isEmpty else { return .midJourney }
        guard let bot = BotType.parseInput(text), bot != .insightFace else { throw APIValidationError(key: "V11") }
        return bot
    }

    /// `POST /mj/account/{id}/sync-info`: `/info` and `/settings` of both bots, at most 30 s.
    @Sendable func syncInfo(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        return await botCall(id, "sync-info") {
            try await withDeadline(.seconds(30)) { try await account.syncInfo() }
        }
    }

    /// `POST /mj/account/{id}/change-mode` `{"botType":…,"mode":"RELAX"}`: `/fast`, `/relax` or `/turbo`.
    @Sendable func changeMode(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        let body = try JSONBody.parse(r.body)
        let bot = try bot(try body.string("botType"))
        guard let text = try body.string("mode") else { throw APIValidationError(key: "V34", values: ["field": "mode"]) }
        guard let mode = SpeedMode(rawValue: text.uppercased()) else { throw APIValidationError(key: "V39", values: ["field": "mode"]) }
        return await botCall(id, "change-mode") { try await account.changeMode(bot, to: mode) }
    }

    /// `POST /mj/account/{id}/change-remix` `{"botType":…,"remix":true}`: toggles remix in `/settings` if different.
    @Sendable func changeRemix(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        let body = try JSONBody.parse(r.body)
        let bot = try bot(try body.string("botType"))
        guard let on = try body.bool("remix") else { throw APIValidationError(key: "V34", values: ["field": "remix"]) }
        return await botCall(id, "change-remix") { try await account.changeRemix(bot, on: on) }
    }

    /// `POST /mj/account/{id}/change-version?version=&botType=`: the version select of `/settings`.
    @Sendable func changeVersion(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        let query = r.request.uri.queryParameters
        let bot = try bot(query.get("botType"))
        guard let version = query.get("version"), !version.isEmpty else { throw APIValidationError(key: "V34", values: ["field": "version"]) }
        return await botCall(id, "change-version") { try await account.changeVersion(bot, to: version) }
    }

    /// `POST /mj/account/{id}/action?customId=&botType=`: presses a `/settings` button.
    @Sendable func settingsAction(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        let query = r.request.uri.queryParameters
        let bot = try bot(query.get("botType"))
        guard let customId = query.get("customId"), !customId.isEmpty else { throw APIValidationError(key: "V25") }
        return await botCall(id, "action") { _ = try await account.pressSettingsButton(bot, customId: customId) }
    }

    /// `POST /mj/account/{id}/verified`: the verification hook (or an operator) solved the captcha; the account resumes.
    @Sendable func verified(_ r: RouteRequest) async throws -> Response {
        guard let (id, account) = await live(r) else { return notFound() }
        await account.markVerified()
        return success(id)
    }
}

/// Runs `body`, cancelling it after `limit` (then throws `AccountCommandError.noAnswer`).
func withDeadline(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await body()
            return true
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return false
        }
        defer { group.cancelAll() }
        guard let finished = try await group.next(), finished else { throw AccountCommandError.noAnswer("no answer within \(limit)") }
    }
}
