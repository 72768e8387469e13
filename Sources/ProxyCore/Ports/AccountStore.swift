import DiscordKit

/// What the bots last told an account (kept across restarts so the account API shows it before
/// the first `/info` / `/settings` of the new session). Per-bot values are keyed by `BotType.rawValue`.
public struct AccountBotState: Sendable, Codable, Equatable {
    public var mode: [String: SpeedMode] = [:]
    public var remix: [String: Bool] = [:]
    public var version: [String: String] = [:]
    public var subscribePlan: String?
    public var fastTimeRemaining: String?
    /// Raw `/info` values by label.
    public var info: [String: String] = [:]
    /// Why the account was disabled (by an operator or by the proxy), if it is.
    public var disabledReason: String?
    /// When the gateway last became ready (ms).
    public var lastConnect: Int64?

    /// Creates an empty state.
    public init() {}

    /// The bot state a snapshot shows.
    public init(_ s: AccountSnapshot) {
        for (bot, m) in s.mode { mode[bot.rawValue] = m }
        for (bot, r) in s.remix { remix[bot.rawValue] = r }
        for (bot, v) in s.version { version[bot.rawValue] = v }
        subscribePlan = s.subscribePlan
        fastTimeRemaining = s.fastTimeRemaining
        info = s.info
        disabledReason = s.disabledReason
        lastConnect = s.lastConnect
    }

    /// This state updated with what `s` knows (values the new session has not read yet stay).
    public func merging(_ s: AccountSnapshot) -> AccountBotState {
        var out = self
        let now = AccountBotState(s)
        out.mode.merge(now.mode) { $1 }
        out.remix.merge(now.remix) { $1 }
        out.version.merge(now.version) { $1 }
        out.subscribePlan = now.subscribePlan ?? subscribePlan
        out.fastTimeRemaining = now.fastTimeRemaining ?? fastTimeRemaining
        out.info.merge(now.info) { $1 }
        out.disabledReason = now.disabledReason
        out.lastConnect = now.lastConnect ?? lastConnect
        return out
    }

    /// Decodes a stored state; missing keys are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = (try? c.decodeIfPresent([String: SpeedMode].self, forKey: .mode)) ?? [:]
        remix = (try? c.decodeIfPresent([String: Bool].self, forKey: .remix)) ?? [:]
        version = (try? c.decodeIfPresent([String: String].self, forKey: .version)) ?? [:]
        subscribePlan = try? c.decodeIfPresent(String.self, forKey: .subscribePlan)
        fastTimeRemaining = try? c.decodeIfPresent(String.self, forKey: .fastTimeRemaining)
        info = (try? c.decodeIfPresent([String: String].self, forKey: .info)) ?? [:]
        disabledReason = try? c.decodeIfPresent(String.self, forKey: .disabledReason)
        lastConnect = try? c.decodeIfPresent(Int64.self, forKey: .lastConnect)
    }
}

/// An account as stored: its settings, when it was created, where it came from and what the bots
/// last told it.
public struct AccountRecord: Sendable, Codable, Equatable {
    /// Where an account was defined.
    public enum Origin: String, Sendable, Codable {
        /// The configuration file (a reload that drops it removes it).
        case file
        /// The account API (stays until deleted through the API).
        case api
        /// A generated sandbox user (never stored).
        case sandbox
    }

    public var config: AccountConfig
    /// Creation time (ms).
    public var createdAt: Int64
    public var origin: Origin
    public var botState: AccountBotState

    /// Creates a record.
    public init(config: AccountConfig, createdAt: Int64, origin: Origin, botState: AccountBotState = AccountBotState()) {
        self.config = config
        self.createdAt = createdAt
        self.origin = origin
        self.botState = botState
    }
}

/// Where accounts live (the same store as the tasks: SQLite today, PostgreSQL later).
public protocol AccountStore: Sendable {
    /// Every stored account, oldest first; unreadable rows are skipped.
    func accounts() async throws -> [AccountRecord]
    /// Inserts or replaces the account with `record.config.id`.
    func saveAccount(_ record: AccountRecord) async throws
    /// Removes an account (no error when absent).
    func deleteAccount(id: String) async throws
}

extension MemoryTaskStore: AccountStore {
    public func accounts() async throws -> [AccountRecord] {
        // Oldest first as the SQL stores (creation time, then insertion order).
        accountRecords.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map(\.element)
    }
    public func saveAccount(_ record: AccountRecord) async throws {
        if let i = accountRecords.firstIndex(where: { $0.config.id == record.config.id }) {
            accountRecords[i] = record
        } else {
            accountRecords.append(record)
        }
    }
    public func deleteAccount(id: String) async throws { accountRecords.removeAll { $0.config.id == id } }
}
