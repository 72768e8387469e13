import Foundation
import ProxyCore
import SQLiteNIO

/// Accounts in the `accounts` table (migration 3): the settings and the bots' last known state as JSON.
extension SQLiteTaskStore: AccountStore {
    public func accounts() async throws -> [AccountRecord] {
        let rows = try await exclusive { try await query("SELECT id, config, origin, bot_state, created_at FROM accounts ORDER BY created_at, rowid") }
        return rows.compactMap { row -> AccountRecord? in
            guard let configText = row.column("config")?.string,
                let config = try? decoder.decode(AccountConfig.self, from: Data(configText.utf8))
            else { return nil }
            let origin = row.column("origin")?.string.flatMap(AccountRecord.Origin.init(rawValue:)) ?? .api
            let state = row.column("bot_state")?.string.flatMap { try? decoder.decode(AccountBotState.self, from: Data($0.utf8)) } ?? AccountBotState()
            return AccountRecord(config: config, createdAt: Int64(row.column("created_at")?.integer ?? 0), origin: origin, botState: state)
        }
    }

    public func saveAccount(_ record: AccountRecord) async throws {
        let config = String(decoding: try encoder.encode(record.config), as: UTF8.self)
        let state = String(decoding: try encoder.encode(record.botState), as: UTF8.self)
        try await exclusive {
            _ = try await query(
                """
                INSERT INTO accounts (id, config, origin, bot_state, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET config = excluded.config, origin = excluded.origin, bot_state = excluded.bot_state
                """,
                [.text(record.config.id), .text(config), .text(record.origin.rawValue), .text(state), .integer(Int(record.createdAt))])
        }
    }

    public func deleteAccount(id: String) async throws {
        try await exclusive { _ = try await query("DELETE FROM accounts WHERE id = ?", [.text(id)]) }
    }
}
