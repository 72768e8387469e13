import DiscordKit
import Foundation
import Hummingbird
import ProxyCore

/// `/mj/account/*` (contract §6): list, fetch, create, update, reconnect, enable/disable, delete.
/// Mutations answer the envelope (`code` 1 with the account id, validation errors code 4); an
/// unknown account is HTTP 404 V41. Authentication is the responder's (admin secret for mutations).
struct AccountController: Sendable {
    let manager: AccountManager
    let configuration: APIConfiguration

    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        Texts.text(key, configuration.locale, values)
    }

    func success(_ id: String) -> Response {
        APIResponder.json(SubmitResult(code: 1, description: text("S8"), result: id).json)
    }

    func notFound() -> Response {
        APIResponder.json(["code": 4, "description": .string(text("V41"))], status: .notFound)
    }

    func view(_ record: AccountRecord, _ account: DiscordAccount?) async -> JSONValue {
        let snapshot: AccountSnapshot? = if let account { await account.snapshot() } else { nil }
        return AccountView.json(record: record, snapshot: snapshot, instance: await manager.holder(of: record.config.id))
    }

    /// Maps the manager's refusals onto the contract's answers.
    func run(_ id: String, _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
        } catch AccountManager.Failure.notFound {
            return notFound()
        } catch AccountManager.Failure.exists(let existing) {
            throw APIValidationError(key: "V40", values: ["id": existing])
        }
        return success(id)
    }

    // MARK: reads

    /// `GET /mj/account/list`.
    @Sendable func list(_ r: RouteRequest) async throws -> Response {
        var views: [JSONValue] = []
        for (record, account) in await manager.list() { views.append(await view(record, account)) }
        return APIResponder.json(.array(views))
    }

    /// `GET /mj/account/{id}/fetch`.
    @Sendable func fetch(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"], let (record, account) = await manager.get(id: id) else { return notFound() }
        return APIResponder.json(await view(record, account))
    }

    // MARK: changes

    /// `POST /mj/account/create`: validate, store, connect.
    @Sendable func create(_ r: RouteRequest) async throws -> Response {
        let config = try AccountInput.parse(try JSONBody.parse(r.body)).newAccount()
        return try await run(config.id) { try await manager.create(config) }
    }

    /// `PUT /mj/account/{id}/update`: any subset of the fields; connection settings apply at the next reconnect.
    @Sendable func update(_ r: RouteRequest) async throws -> Response {
        try await change(r, reconnect: false)
    }

    /// `PUT /mj/account/{id}/update-reconnect`: update, then reconnect.
    @Sendable func updateReconnect(_ r: RouteRequest) async throws -> Response {
        try await change(r, reconnect: true)
    }

    private func change(_ r: RouteRequest, reconnect: Bool) async throws -> Response {
        guard let id = r.parameters["id"], await manager.get(id: id) != nil else { return notFound() }
        let input = try AccountInput.parse(try JSONBody.parse(r.body))
        if let newId = input.id, newId != id { throw AccountInput.invalid("id") }
        return try await run(id) { try await manager.update(id: id, reconnect: reconnect) { input.apply(to: &$0) } }
    }

    /// `POST /mj/account/{id}/reconnect`.
    @Sendable func reconnect(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"] else { return notFound() }
        return try await run(id) { try await manager.reconnect(id: id) }
    }

    /// `POST /mj/account/{id}/enable`.
    @Sendable func enable(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"] else { return notFound() }
        return try await run(id) { try await manager.setEnabled(id: id, true) }
    }

    /// `POST /mj/account/{id}/disable`: no new tasks; waiting ones fail (F6); running ones finish.
    @Sendable func disable(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"] else { return notFound() }
        return try await run(id) { try await manager.setEnabled(id: id, false) }
    }

    /// `DELETE /mj/account/{id}/delete`: disconnect, remove; unfinished tasks fail (F6).
    @Sendable func delete(_ r: RouteRequest) async throws -> Response {
        guard let id = r.parameters["id"] else { return notFound() }
        return try await run(id) { try await manager.delete(id: id) }
    }
}
