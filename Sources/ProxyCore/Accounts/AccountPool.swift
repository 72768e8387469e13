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
        if let c = channelId, !c.isEmpty, !account.channels.contains(c) { return false }
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
    /// Every eligible account's queue is full (code 23).
    case queueFull
}

/// The account picked for a submission and the speed mode it was picked for (nil = none requested).
public struct AccountChoice: Sendable {
    public let account: DiscordAccount
    public let mode: SpeedMode?
}

/// All accounts; chooses one per submission and runs them all as one Service.
public actor AccountPool: Service {
    private var accounts: [DiscordAccount] = []
    private let added: AsyncStream<DiscordAccount>
    private let addedContinuation: AsyncStream<DiscordAccount>.Continuation

    /// Tasks handed over by an account are re-assigned through it.
    private let registry: TaskRegistry?
    /// Picks among eligible accounts (`scheduling.rule`); remembers whose turn it is.
    private var selector: AccountSelector
    /// Randomness of the random and weighted rules (injectable for tests).
    private var random: any RandomNumberGenerator & Sendable
    /// How often every account is ticked (timeout sweep, cursors, periodic /info).
    private let tickInterval: Duration
    /// Placements chosen but not yet on their account (choice → enqueue, see `placed`), by account id: counted
    /// as waiting tasks in later choices, so concurrent submissions spread over the accounts instead of all
    /// taking the one that looked least busy before any of them arrived.
    private var placing: [String: Int] = [:]

    /// Creates a pool with `accounts`; with a `registry`, tasks an account gives up move to others.
    public init(
        accounts: [DiscordAccount] = [], registry: TaskRegistry? = nil, rule: SchedulingRule = .bestWaitIdle,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(), tickInterval: Duration = .seconds(1)
    ) {
        self.tickInterval = tickInterval
        self.accounts = accounts
        self.registry = registry
        self.selector = AccountSelector(rule: rule)
        self.random = random
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
            // Same eligibility as a new submission (bot, readiness, window, daily limit, requested
            // mode, room); an action needs an account with the parent's channel.
            let channel = task.customId != nil ? (task.property("discordChannelId") ?? from.config.channelId) : nil
            let request = Eligibility.Request(
                botType: task.botType, modes: task.requestedMode.map { [$0] } ?? [], channelId: channel)
            guard case .success(let choice) = await choose(request, excluding: [from.config.id]) else {
                await registry.update(id) { $0.fail(reason, at: nowMillis()) }
                continue
            }
            let target = choice.account
            let newId = target.config.id
            let newChannel = channel ?? target.config.channelId
            let moved = await registry.transition(id, from: [.notStart]) {
                $0.accountId = newId
                $0.setProperty("discordInstanceId", string: newId)
                $0.setProperty("discordChannelId", string: newChannel)
            }
            if moved != nil { await target.requeue(id) }
        }
    }

    /// Every account, in configuration order.
    public var all: [DiscordAccount] { accounts }

    /// The account with `id`.
    public func account(id: String) -> DiscordAccount? { accounts.first { $0.config.id == id } }

    /// Picks an account for `botType` that passes `filter` and allows `mode` (see `choose(_:excluding:)`).
    public func choose(botType: BotType, filter: AccountFilter?, mode: SpeedMode?) async -> Result<DiscordAccount, AccountChoiceError> {
        await choose(Eligibility.Request(botType: botType, filter: filter, modes: mode.map { [$0] } ?? [])).map(\.account)
    }

    /// Picks an eligible account with room for `request` by the scheduling rule (ties take turns),
    /// skipping the accounts in `excluding`; or the reason none can take it (3, V12, V13, 23).
    /// With `placing: true` the choice counts as a task waiting on the account until `placed(_:)` is called.
    public func choose(_ request: Eligibility.Request, excluding: Set<String> = [], placing: Bool = false) async -> Result<AccountChoice, AccountChoiceError> {
        var candidates: [AccountCandidate] = []
        var byOrder: [Int: DiscordAccount] = [:]
        // Each account's published view: no hop, so the whole choice is one step of this actor.
        for (i, a) in accounts.enumerated() where a.config.enabled {
            var c = a.candidate(order: i, bot: request.botType)
            if excluding.contains(c.config.id) { c.hasRoom = false }
            candidates.append(c)
            byOrder[i] = a
        }
        for k in candidates.indices {
            let pending = self.placing[candidates[k].config.id] ?? 0
            candidates[k].queued += pending
            candidates[k].jobsToday += pending
        }
        switch Eligibility.eligible(candidates, for: request, at: nowMillis()) {
        case .failure(let e):
            return .failure(e)
        case .success(let (eligible, mode)):
            guard let i = selector.pick(eligible.map(\.load), using: &random), let account = byOrder[eligible[i].order] else {
                return .failure(.noAccount)
            }
            if placing { self.placing[account.config.id, default: 0] += 1 }
            return .success(AccountChoice(account: account, mode: mode))
        }
    }

    /// Ends a placement chosen with `placing: true` (the task is on the account now, or was refused).
    public func placed(_ accountId: String) {
        guard let n = placing[accountId] else { return }
        placing[accountId] = n > 1 ? n - 1 : nil
    }

    /// Changes the selection rule (live configuration).
    public func setRule(_ rule: SchedulingRule) { selector.rule = rule }

    /// Runs every account (and those added later) until shutdown.
    public func run() async throws {
        let stream = added
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tickLoop() }
            for await account in stream.cancelOnGracefulShutdown() {
                group.addTask { await account.run() }
            }
            group.cancelAll()
        }
        // Progress kept in memory is written before the store closes (it stops after the pool).
        await registry?.flushProgress()
    }

    /// The one timer of all accounts: ticks each in turn every `tickInterval` until cancelled, and
    /// writes the registry's pending progress.
    private func tickLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: tickInterval) } catch { return }
            let now = nowMillis()
            for account in accounts { await account.tick(now: now) }
            await registry?.flushProgress()
        }
    }
}
