import ServiceLifecycle

/// Which accounts a submission may use (contract §4 `accountFilter`).
public struct AccountFilter: Sendable, Equatable {
    public var channelId: String?
    public var instanceId: String?
    public var modes: [SpeedMode]
    public var remark: String?
    public var remix: Bool?
    public var remixAutoConsidered: Bool?

    /// Creates a filter; empty strings and arrays do not filter.
    public init(
        channelId: String? = nil, instanceId: String? = nil, modes: [SpeedMode] = [], remark: String? = nil, remix: Bool? = nil,
        remixAutoConsidered: Bool? = nil
    ) {
        self.channelId = channelId
        self.instanceId = instanceId
        self.modes = modes
        self.remark = remark
        self.remix = remix
        self.remixAutoConsidered = remixAutoConsidered
    }

    /// Whether `account` passes; `remixOn` is the account's remix mode for the bot (from `/settings`).
    public func admits(_ account: AccountConfig, remixOn: Bool) -> Bool {
        if let c = channelId, !c.isEmpty, c != account.channelId { return false }
        if let i = instanceId, !i.isEmpty, i != account.id { return false }
        if let r = remark, !r.isEmpty, !account.remark.lowercased().contains(r.lowercased()) { return false }
        if let wanted = remix {
            let effective = remixOn && !((remixAutoConsidered ?? false) && account.remixAutoSubmit)
            if effective != wanted { return false }
        }
        return true
    }
}

/// Why no account could be chosen.
public enum AccountChoiceError: Error, Sendable, Equatable {
    /// No enabled, connected account serves this bot (code 3).
    case noAccount
    /// Accounts exist, none passes the filter (V12).
    case filterMismatch
    /// None allows the requested mode (V13).
    case modeUnsupported(SpeedMode)
}

/// All accounts; chooses one per submission and runs them all as one Service.
public actor AccountPool: Service {
    private var accounts: [DiscordAccount] = []
    private let added: AsyncStream<DiscordAccount>
    private let addedContinuation: AsyncStream<DiscordAccount>.Continuation

    /// Tasks handed over by an account are re-assigned through it.
    private let registry: TaskRegistry?

    /// Creates a pool with `accounts`; with a `registry`, tasks an account gives up move to others.
    public init(accounts: [DiscordAccount] = [], registry: TaskRegistry? = nil) {
        self.accounts = accounts
        self.registry = registry
        (added, addedContinuation) = AsyncStream<DiscordAccount>.makeStream()
        for a in accounts { addedContinuation.yield(a) }
    }

    /// Adds an account; it starts connecting right away when the pool runs.
    public func add(_ account: DiscordAccount) async {
        accounts.append(account)
        if registry != nil {
            await account.setHandOver { [weak self] ids, from, reason in await self?.reassign(ids, from: from, reason: reason) }
        }
        addedContinuation.yield(account)
    }

    /// Takes the account with `id` out of the pool and stops it (its tasks are the caller's business).
    @discardableResult
    public func remove(id: String) async -> DiscordAccount? {
        guard let i = accounts.firstIndex(where: { $0.config.id == id }) else { return nil }
        let account = accounts.remove(at: i)
        await account.stop()
        return account
    }

    /// Puts `new` in the place of the account with the same id (same position in the pool) and stops
    /// the old one; without an old one, `new` is added at the end.
    public func replace(with new: DiscordAccount) async {
        guard let i = accounts.firstIndex(where: { $0.config.id == new.config.id }) else { return await add(new) }
        let old = accounts[i]
        accounts[i] = new
        if registry != nil {
            await new.setHandOver { [weak self] ids, from, reason in await self?.reassign(ids, from: from, reason: reason) }
        }
        addedContinuation.yield(new)
        await old.stop()
    }

    /// Moves waiting tasks an account gave up to other available accounts that can run them (actions
    /// only to accounts of the parent's channel, where the parent's buttons are); the rest fail with `reason`.
    public func reassign(_ taskIds: [String], from: DiscordAccount, reason: String) async {
        guard let registry else { return }
        for id in taskIds {
            guard let task = try? await registry.task(id: id), task.status == .notStart else { continue }
            var target: (account: DiscordAccount, load: Int)?
            for candidate in accounts where candidate !== from && candidate.config.enabled {
                guard await candidate.isAvailable else { continue }
                if task.customId != nil, candidate.config.channelId != from.config.channelId { continue }
                let bot = task.botType == .insightFace ? BotType.midJourney : task.botType
                guard candidate.config.botTypes.contains(bot) else { continue }
                let load = await candidate.waitingCount + candidate.runningCount
                if target.map({ load < $0.load }) ?? true { target = (candidate, load) }
            }
            guard let target = target?.account else {
                await registry.update(id) { $0.fail(reason, at: nowMillis()) }
                continue
            }
            let newId = target.config.id
            let channel = target.config.channelId
            let moved = await registry.transition(id, from: [.notStart]) {
                $0.accountId = newId
                $0.setProperty("discordInstanceId", string: newId)
                $0.setProperty("discordChannelId", string: channel)
            }
            if moved != nil { await target.requeue(id) }
        }
    }

    /// Every account, in configuration order.
    public var all: [DiscordAccount] { accounts }

    /// The account with `id`.
    public func account(id: String) -> DiscordAccount? { accounts.first { $0.config.id == id } }

    /// Picks the least loaded connected account that passes `filter` (ties: configuration order, weight first).
    public func choose(botType: BotType, filter: AccountFilter?, mode: SpeedMode?) async -> Result<DiscordAccount, AccountChoiceError> {
        var connected: [DiscordAccount] = []
        for a in accounts where a.config.enabled {
            if await a.isAvailable { connected.append(a) }
        }
        guard !connected.isEmpty else { return .failure(.noAccount) }
        var admitted: [DiscordAccount] = []
        for a in connected where filter?.admits(a.config, remixOn: await a.remixOn(botType)) ?? true { admitted.append(a) }
        guard !admitted.isEmpty else { return .failure(.filterMismatch) }
        // Every account allows every mode until per-account mode limits exist.
        var best: (load: Double, account: DiscordAccount)?
        for a in admitted {
            let load = Double(await a.waitingCount + a.runningCount) / Double(max(1, a.config.coreSize * max(1, a.config.weight)))
            if best == nil || load < best!.load { best = (load, a) }
        }
        return .success(best!.account)
    }

    /// Runs every account (and those added later) until shutdown.
    public func run() async throws {
        let stream = added
        await withDiscardingTaskGroup { group in
            for await account in stream.cancelOnGracefulShutdown() {
                group.addTask { await account.run() }
            }
            group.cancelAll()
        }
    }
}
