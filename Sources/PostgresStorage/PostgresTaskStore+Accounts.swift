import Foundation
import Logging
import PostgresNIO
import ProxyCore

/// Accounts in the `accounts` table: the settings and the bots' last known state as JSON.
extension PostgresTaskStore {
    /// Every account, oldest first (creation time, then insertion order).
    static let accountsQuery: PostgresQuery = "SELECT config, origin, bot_state, created_at FROM accounts ORDER BY created_at, position"

    /// Decodes account rows; a row whose settings cannot be read is skipped.
    static func readAccounts(from rows: PostgresRowSequence) async throws -> [AccountRecord] {
        let decoder = JSONDecoder()
        var result: [AccountRecord] = []
        for try await (configText, origin, botState, createdAt) in rows.decode((String, String, String, Int64).self) {
            guard let config = try? decoder.decode(AccountConfig.self, from: Data(configText.utf8)) else { continue }
            let state = (try? decoder.decode(AccountBotState.self, from: Data(botState.utf8))) ?? AccountBotState()
            result.append(AccountRecord(config: config, createdAt: createdAt, origin: AccountRecord.Origin(rawValue: origin) ?? .api, botState: state))
        }
        return result
    }

    public func accounts() async throws -> [AccountRecord] {
        try await Self.readAccounts(from: try await client.query(Self.accountsQuery, logger: logger))
    }

    public func saveAccount(_ record: AccountRecord) async throws {
        let encoder = JSONEncoder()
        let config = String(decoding: try encoder.encode(record.config), as: UTF8.self)
        let state = String(decoding: try encoder.encode(record.botState), as: UTF8.self)
        try await client.exec(
            """
            INSERT INTO accounts (id, config, origin, bot_state, created_at)
            VALUES (\(record.config.id), \(config), \(record.origin.rawValue), \(state), \(record.createdAt))
            ON CONFLICT (id) DO UPDATE SET config = excluded.config, origin = excluded.origin, bot_state = excluded.bot_state
            """, logger: logger)
    }

    public func deleteAccount(id: String) async throws {
        try await client.exec("DELETE FROM accounts WHERE id = \(id)", logger: logger)
    }
}
