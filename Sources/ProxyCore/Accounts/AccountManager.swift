import DiscordKit
import Foundation
import Logging
import ServiceLifecycle

/// Accounts as data: the one place that creates, changes, reconnects and removes accounts, keeping
/// the store (`AccountStore`) and the running pool (`AccountPool`) in step. Used by the account API,
/// at start (stored accounts + the config file) and by config reloads. Mutations run one at a time.
/// As a Service it writes what the bots told each account to the store now and then and at shutdown.
public actor AccountManager: Service {
    /// Why a change was refused.
    public enum Failure: Error, Sendable, Equatable {
        case exists(String)
        case notFound
    }

    /// Builds the running account for a configuration (REST client, gateway, endpoints).
    public typealias Factory = @Sendable (AccountConfig) async -> DiscordAccount

    let pool: AccountPool
    let store: any AccountStore
    let registry: TaskRegistry
    let make: Factory
    let locale: TextLocale
    let logger: Logger
    let persistInterval: Duration
    /// Several instances share the store: an account runs here only while this instance holds its
    /// lease (`attach`/`detach`, driven by a `LeaseKeeper`); otherwise every account runs here.
    let leased: Bool
    /// Which instance holds an account's lease (set with leases; nil = every account runs here).
    var holderLookup: (@Sendable (String) async -> String?)?
    /// Whether `start` has loaded the accounts (before that, leases take none).
    var started = false
    var records: [AccountRecord] = []

    /// Creates the manager; nothing is loaded until `start`.
    public init(
        pool: AccountPool, store: any AccountStore, registry: TaskRegistry, locale: TextLocale = .en, persistInterval: Duration = .seconds(30),
        leased: Bool = false, logger: Logger, make: @escaping Factory
    ) {
        self.leased = leased
        self.pool = pool
        self.store = store
        self.registry = registry
        self.locale = locale
        self.persistInterval = persistInterval
        self.logger = logger
        self.make = make
    }

    // MARK: start and reload

    /// Loads the stored accounts, imports the config file's (`fileFields[id]` = the fields the file
    /// sets: they win over stored values), drops stored file accounts the file no longer has, and
    /// starts them all with the generated sandbox users (never stored).
    public func start(file: [AccountConfig], fileFields: [String: Set<String>], sandbox: [AccountConfig] = []) async {
        var stored: [AccountRecord] = []
        do { stored = try await store.accounts() } catch { logger.error("reading stored accounts failed", metadata: ["error": "\(error)"]) }
        let fileIds = Set(file.map(\.id))
        var result = sandbox.map { AccountRecord(config: $0, createdAt: nowMillis(), origin: .sandbox) }
        for f in file {
            var record = AccountRecord(config: f, createdAt: nowMillis(), origin: .file)
            if let old = stored.first(where: { $0.config.id == f.id }) {
                record = old
                record.origin = .file
                record.config = old.config.overlaying(f, fields: fileFields[f.id] ?? AccountConfig.allFieldNames)
            }
            await persist(record)
            result.append(record)
        }
        for old in stored where !fileIds.contains(old.config.id) && !result.contains(where: { $0.config.id == old.config.id }) {
            if old.origin == .file {
                logger.info("account removed from the config file: deleted", metadata: ["account": "\(old.config.id)"])
                try? await store.deleteAccount(id: old.config.id)
            } else {
                result.append(old)
            }
        }
        records = result
        started = true
        guard !leased else { return }
        for record in records { await pool.add(await running(record)) }
    }

    /// Applies a reloaded config file: its new accounts are added, changed ones updated (a changed
    /// token, guild, channel, user agent or proxy reconnects), file accounts it dropped are deleted.
    /// Accounts created through the API are untouched. Returns what changed, for the log.
    @discardableResult
    public func reloadFile(_ file: [AccountConfig], fileFields: [String: Set<String>]) async -> (added: Int, changed: Int, removed: Int) {
        var counts = (added: 0, changed: 0, removed: 0)
        for f in file {
            let fields = fileFields[f.id] ?? AccountConfig.allFieldNames
            guard let i = records.firstIndex(where: { $0.config.id == f.id }) else {
                let record = AccountRecord(config: f, createdAt: nowMillis(), origin: .file)
                records.append(record)
                await persist(record)
                if !leased { await pool.add(await running(record)) }
                counts.added += 1
                continue
            }
            let old = records[i]
            let merged = old.config.overlaying(f, fields: fields)
            guard merged != old.config || old.origin != .file else { continue }
            records[i].config = merged
            records[i].origin = .file
            await persist(records[i])
            await activate(records[i], previous: old.config, reconnect: merged.connectionDiffers(from: old.config))
            counts.changed += 1
        }
        let ids = Set(file.map(\.id))
        for record in records where record.origin == .file && !ids.contains(record.config.id) {
            try? await delete(id: record.config.id)
            counts.removed += 1
        }
        return counts
    }

    // MARK: API operations

    /// Every account with its running instance (nil only for a moment during a replacement).
    public func list() async -> [(record: AccountRecord, account: DiscordAccount?)] {
        var out: [(AccountRecord, DiscordAccount?)] = []
        for r in records { out.append((r, await pool.account(id: r.config.id))) }
        return out
    }

    /// One account.
    public func get(id: String) async -> (record: AccountRecord, account: DiscordAccount?)? {
        guard let r = records.first(where: { $0.config.id == id }) else { return nil }
        return (r, await pool.account(id: id))
    }

    /// Stores and connects a new account (`exists` when the id is taken).
    public func create(_ config: AccountConfig) async throws {
        guard !records.contains(where: { $0.config.id == config.id }) else { throw Failure.exists(config.id) }
        let record = AccountRecord(config: config, createdAt: nowMillis(), origin: .api)
        try await store.saveAccount(record)
        // With leases, a sync from the store may have added it meanwhile.
        guard !records.contains(where: { $0.config.id == config.id }) else { return }
        records.append(record)
        if !leased { await pool.add(await running(record)) }
        logger.info("account created", metadata: ["account": "\(config.id)"])
    }

    /// Changes an account's settings: stored at once; limits and other settings apply live, the
    /// connection settings (token, guild, channel, user agent, proxy) at the next reconnect, which
    /// `reconnect` asks for now. The id cannot change.
    public func update(id: String, reconnect: Bool = false, _ change: @Sendable (inout AccountConfig) -> Void) async throws {
        guard let i = records.firstIndex(where: { $0.config.id == id }) else { throw Failure.notFound }
        let old = records[i]
        var config = old.config
        change(&config)
        config.id = id
        var record = old
        record.config = config
        if record.origin != .sandbox { try await store.saveAccount(record) }
        records[i] = record
        await activate(record, previous: old.config, reconnect: reconnect)
    }

    /// Enables or disables an account (disable: no new task, its waiting tasks fail with F6, running ones finish).
    public func setEnabled(id: String, _ enabled: Bool) async throws {
        try await update(id: id) { $0.enabled = enabled }
    }

    /// Reopens the account's gateway connection (a new session with the stored settings), keeping its tasks.
    public func reconnect(id: String) async throws {
        guard let record = records.first(where: { $0.config.id == id }) else { throw Failure.notFound }
        await replace(record)
    }

    /// Disconnects and removes an account; its unfinished tasks fail with F6.
    public func delete(id: String) async throws {
        guard let i = records.firstIndex(where: { $0.config.id == id }) else { throw Failure.notFound }
        let record = records.remove(at: i)
        if record.origin != .sandbox { try await store.deleteAccount(id: id) }
        let account = await pool.remove(id: id)
        if let account { _ = await account.takeQueued() }
        let reason = Texts.text("F6", locale, ["id": id])
        for task in await registry.unfinishedTasks(of: id) { await registry.update(task.id) { $0.fail(reason, at: nowMillis()) } }
        logger.info("account deleted", metadata: ["account": "\(id)"])
    }

    // MARK: bot state

    /// Writes what the bots told each account (mode, remix, version, /info) to the store when it changed.
    public func persistStates() async {
        for i in records.indices where records[i].origin != .sandbox {
            guard let account = await pool.account(id: records[i].config.id) else { continue }
            let state = records[i].botState.merging(await account.snapshot())
            guard state != records[i].botState else { continue }
            records[i].botState = state
            await persist(records[i])
        }
    }

    /// Persists bot states every `persistInterval` and once more at shutdown.
    public func run() async throws {
        let interval = persistInterval
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                await self.persistStates()
            }
        }
        await persistStates()
    }

    // MARK: internals

    private func persist(_ record: AccountRecord) async {
        guard record.origin != .sandbox else { return }
        do { try await store.saveAccount(record) } catch {
            logger.error("saving account failed", metadata: ["account": "\(record.config.id)", "error": "\(error)"])
        }
    }

    /// A new running instance for `record`, seeded with its last known bot state.
    func running(_ record: AccountRecord) async -> DiscordAccount {
        let account = await make(record.config)
        await account.restore(record.botState)
        return account
    }

    /// Brings the running account in line with `record`: a new session when asked or when a dead
    /// (gateway-disabled) account is enabled again, else the settings are applied live keeping the
    /// connection settings of the open session.
    func activate(_ record: AccountRecord, previous: AccountConfig, reconnect: Bool) async {
        let new = record.config
        guard let account = await pool.account(id: new.id) else {
            // With leases, an account not held here runs on the instance holding it.
            if !leased { await pool.add(await running(record)) }
            return
        }
        let dead = await account.status == .disabled
        if reconnect || (new.enabled && dead) {
            return await replace(record)
        }
        await account.apply(new.keepingConnection(of: account.config))
        if previous.enabled && !new.enabled {
            await account.disableByOperator(failingWaitingWith: Texts.text("F6", locale, ["id": new.id]))
        }
    }

    /// Replaces the running account with a fresh one (new session) that takes over its tasks:
    /// waiting ones are queued again, those already sent are adopted (their results still reach
    /// them), MODAL ones tracked. A disabled account's unfinished tasks fail with F6.
    private func replace(_ record: AccountRecord) async {
        let id = record.config.id
        if leased, await pool.account(id: id) == nil { return }
        if let old = await pool.account(id: id) { _ = await old.takeQueued() }
        let fresh = await running(record)
        await pool.replace(with: fresh)
        let tasks = await registry.unfinishedTasks(of: id)
        guard record.config.enabled else {
            let reason = Texts.text("F6", locale, ["id": id])
            for task in tasks { await registry.update(task.id) { $0.fail(reason, at: nowMillis()) } }
            return
        }
        for task in tasks {
            switch task.status {
            case .notStart where task.nonce == nil: await fresh.requeue(task.id)
            case .notStart, .submitted, .inProgress: await fresh.adopt(task)
            case .modal: await fresh.trackModal(task.id)
            default: break
            }
        }
        logger.info("account reconnecting with a new session", metadata: ["account": "\(id)", "tasks": "\(tasks.count)"])
    }
}

extension TaskRegistry {
    /// Unfinished tasks (waiting, running, MODAL) of one account.
    func unfinishedTasks(of accountId: String) -> [MJTask] {
        unfinished(in: [.notStart, .submitted, .inProgress, .modal]).filter { $0.accountId == accountId }
    }
}
