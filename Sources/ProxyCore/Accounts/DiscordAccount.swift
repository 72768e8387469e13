import DiscordKit
import Foundation
import Logging

/// Result of putting a task on an account's queue.
public enum EnqueueResult: Sendable, Equatable {
    /// Accepted; `waitingAhead` tasks were waiting (not running) before it.
    case accepted(waitingAhead: Int)
    case queueFull
}

/// One Discord user account: its gateway session and the wiring between its slots (`AccountSlots`),
/// the matching of the bots' messages to its tasks (`TaskMatcher`) and the registry. Flow: `enqueue`
/// → dispatcher starts `execute` when a slot is free → REST interaction (and modal answers) → gateway
/// events → `MJMessageParser` → `TaskMatcher.route` → `TaskRegistry.update`.
public actor DiscordAccount {
    /// The account's settings, readable from anywhere; limits change live through `apply(_:)`.
    public nonisolated var config: AccountConfig { configBox.value }
    let configBox: Locked<AccountConfig>
    let endpoints: DiscordEndpoints
    let gateway: GatewayClient
    let rest: any DiscordRESTClient
    let registry: TaskRegistry
    let locale: TextLocale
    let behaviour: AccountBehaviour
    let logger: Logger
    /// HTTP for client-given URLs (describe links, face-swap URLs) under the outbound policy.
    let outbound: OutboundHTTP

    public internal(set) var status: AccountStatus { didSet { publishView() } }
    public internal(set) var disabledReason: String?
    /// Remix mode per bot as last read from `/settings` (or learned from a remix modal).
    public internal(set) var remix: [BotType: Bool] = [:] { didSet { publishView() } }
    /// What the bots told the account (mode, version, /info) and its health.
    public internal(set) var bots = BotState() { didSet { publishView() } }
    /// Side work for the run loop's task group (hooks, mode switches, ToS presses).
    var sideJobs: [@Sendable () async -> Void] = []
    /// Queue, running slots, cancelled and MODAL tasks.
    var slots: AccountSlots { didSet { publishView() } }
    /// Which running task each bot message belongs to.
    var matcher = TaskMatcher()
    var commands: [BotType: [String: ApplicationCommand]] = CommandTable.fallback
    var commandsLoaded = false
    var nonceCounter: Int64 = 0
    /// DM channels with the bots (configured or opened for seeds).
    var dmChannels: [BotType: String] = [:]
    var pendingModals: [(taskId: String, event: ModalEvent)] = []
    var settingsSyncDue = false
    /// Where waiting tasks go when this account gives them up (set by the pool).
    var handOver: HandOver?
    /// A new session began: read the channel history for results missed meanwhile.
    var catchUpDue = false
    /// Adopted tasks whose interaction may or may not have reached Discord, with when they were adopted.
    var unconfirmed: [String: Int64] = [:]
    /// Newest handled bot message per channel, not yet written to the store.
    var pendingCursors: [String: String] = [:]
    var waiters: [UUID: MessageWaiter] = [:]
    var seedLookups: [String: [CheckedContinuation<String?, Never>]] = [:]
    let wake: AsyncStream<Void>.Continuation
    let wakeStream: AsyncStream<Void>
    /// Whether the pool's shared tick reaches this account, and when `/info` is read next.
    var timers = AccountTimers()
    /// Daily job count, submit pacing and sub-channel use (DiscordAccount+Scheduling).
    var scheduling = AccountSchedulingState() { didSet { publishView() } }
    /// What scheduling reads of this account, kept current by `publishView` (see `AccountSchedulingView`).
    let viewBox: Locked<AccountSchedulingView>
    /// Fulfilled once `run` has ended (or, when stopped before it ran, once it never will): nothing is sent after.
    let ended = OneShot<Bool>()
    var runStarted = false

    /// Creates an account; it connects when `run` is called.
    public init(
        config: AccountConfig, endpoints: DiscordEndpoints, rest: any DiscordRESTClient, registry: TaskRegistry, locale: TextLocale = .en,
        behaviour: AccountBehaviour = AccountBehaviour(), logger: Logger,
        outbound: OutboundHTTP = OutboundHTTP()
    ) {
        self.outbound = outbound
        self.configBox = Locked(config)
        self.endpoints = endpoints
        self.rest = rest
        self.registry = registry
        self.locale = locale
        self.behaviour = behaviour
        var logger = logger
        logger[metadataKey: "account"] = "\(config.id)"
        self.logger = logger
        var gatewayConfiguration = GatewayConfiguration(
            url: endpoints.gatewayURL, token: config.userToken, userAgent: config.userAgent, maxConnectFailures: behaviour.maxConnectFailures,
            proxy: Self.discordProxy(config, behaviour))
        // Guild messages of other channels are not decoded at all (DMs with the bots always are).
        let box = configBox
        gatewayConfiguration.channelFilter = { channel in box.withLock { $0.channelId == channel || $0.subChannels.contains(channel) } }
        self.gateway = GatewayClient(configuration: gatewayConfiguration, logger: logger)
        self.status = config.enabled ? .connecting : .disabled
        self.slots = AccountSlots(coreSize: config.coreSize, queueSize: config.queueSize)
        self.viewBox = Locked(
            Self.view(available: false, bots: BotState(), remix: [:], slots: slots, scheduling: AccountSchedulingState()))
        if let mj = config.mjBotChannelId { dmChannels[.midJourney] = mj }
        if let niji = config.nijiBotChannelId { dmChannels[.nijiJourney] = niji }
        (wakeStream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Applies new settings that need no new session (limits, timeout, remark, weight, modes, filters,
    /// pacing, sub-channels): in-flight tasks are untouched, a larger core size starts waiting tasks.
    /// Token, guild, channel, user agent or proxy changes need a new account (the pool replaces it).
    public func apply(_ new: AccountConfig) {
        configBox.withLock { $0 = new }
        slots.resize(coreSize: new.coreSize, queueSize: new.queueSize)
        wake.yield()
    }

    // MARK: state for the pool

    /// Tasks waiting for a slot.
    public var waitingCount: Int { slots.queue.count }
    /// Tasks holding a slot.
    public var runningCount: Int { slots.running.count }
    /// Whether task `id` holds one of the slots.
    public func holdsSlot(_ id: String) -> Bool { slots.isRunning(id) }
    /// True when the account can take new tasks.
    public var isAvailable: Bool { status == .connected && bots.verification == nil }
    /// Whether remix mode is on for `bot` (from `/settings` or a remix modal); `AccountFilter` applies `remixAutoSubmit` on top.
    public func remixOn(_ bot: BotType) -> Bool { remix[bot] ?? false }

    /// Puts a task on the queue (honouring `queueSize`). `create` stores the task first; it runs
    /// only when there is room, so a refused submission leaves no task behind.
    public func enqueue(_ taskId: String, create: @Sendable () async throws -> Void) async throws -> EnqueueResult {
        guard slots.admitsMore else { return .queueFull }
        slots.reserve()
        defer { slots.unreserve() }
        try await create()
        // Waiting ahead = queued beyond the free slots (the others start at once).
        let ahead = max(0, slots.enqueue(taskId) - slots.freeSlots)
        wake.yield()
        return .accepted(waitingAhead: ahead)
    }

    /// Re-queues a recovered `NOT_START` task (no capacity check: it was accepted before).
    public func requeue(_ taskId: String) {
        slots.requeue(taskId)
        wake.yield()
    }

    /// Remembers a MODAL task (it holds no slot; it expires after 30 minutes).
    public func trackModal(_ taskId: String) { slots.trackModal(taskId) }

    /// Takes over a task that was running before a restart (its bot messages may still come).
    public func adopt(_ task: MJTask) {
        slots.adopt(task.id, at: nowMillis())
        matcher.track(TaskFacts(task))
        if let nonce = task.nonce { matcher.bind(nonce: nonce, to: task.id) }
        if let pm = task.property("progressMessageId") { matcher.bind(messageId: pm, to: task.id) }
        if task.status == .notStart { unconfirmed[task.id] = nowMillis() }
        // Already connected (recovery ran after READY): read what arrived while the proxy was down.
        if status == .connected {
            catchUpDue = true
            wake.yield()
        }
    }

    /// Cancels a task of this account: waiting ones leave the queue; a started Discord job keeps its
    /// slot until it ends or times out, and its results are discarded.
    public func cancel(_ taskId: String) {
        _ = slots.cancel(taskId)
    }

    // MARK: run

    /// Connects and serves until cancelled: gateway, dispatcher (tasks, modal answers, settings sync) and timeout sweep.
    public func run() async {
        guard ended.current == nil else { return }
        runStarted = true
        defer { ended.fulfil(true) }
        guard config.enabled else { return }
        // In a child task: the token check's REST call needs a deep async stack, which this long-lived
        // task would otherwise keep for the account's lifetime.
        async let tokenAccepted = checkToken()
        guard await tokenAccepted else { return }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.gateway.run(
                    onEvent: { event in await self.handleInChildTask(event) },
                    onStatus: { status in await self.gatewayStatus(status) })
            }
            // Timeouts, cursors and the periodic /info run on the pool's shared tick (`tick`), not on
            // timer tasks of each account.
            timers.ticking = true
            defer { timers.ticking = false }
            for await _ in wakeStream {
                while !sideJobs.isEmpty {
                    let job = sideJobs.removeFirst()
                    group.addTask { await job() }
                }
                while let taskId = nextRunnable() {
                    group.addTask { await self.execute(taskId) }
                }
                while !pendingModals.isEmpty {
                    let (taskId, event) = pendingModals.removeFirst()
                    group.addTask { await self.answerModal(taskId: taskId, event: event) }
                }
                if settingsSyncDue {
                    settingsSyncDue = false
                    let gate = behaviour.syncGate
                    group.addTask { _ = await gate.run { await self.syncOnConnect() } }
                }
                if catchUpDue {
                    catchUpDue = false
                    group.addTask { await self.catchUp() }
                }
            }
            group.cancelAll()
        }
    }

    func nextRunnable() -> String? {
        guard status == .connected, bots.verification == nil else { return nil }
        guard let id = slots.next(at: nowMillis()) else { return nil }
        countStarted(id)
        return id
    }

    func gatewayStatus(_ s: GatewayStatus) async {
        behaviour.metrics.gatewayStatus(s)
        switch s {
        case .connecting: if status != .disabled { status = .connecting }
        case .connected(_, let resumed):
            guard status != .disabled else { return }
            status = .connected
            bots.lastConnect = nowMillis()
            if let user = gateway.userId { matcher.ownUserId = user }
            logger.info("account connected", metadata: ["resumed": "\(resumed)"])
            if !resumed && behaviour.syncSettings { settingsSyncDue = true }
            if !resumed { catchUpDue = true }
            wake.yield()
        case .disconnected: if status != .disabled { status = .disconnected }
        case .fatal(let code, let reason):
            logger.error("account disabled by gateway", metadata: ["code": "\(code)", "reason": "\(reason)"])
            await disable(reason: reason, failRunning: code == 4004)
        }
    }

    /// Fails every waiting task (the account can no longer run them).
    func failQueued(_ reason: String) async {
        let waiting = slots.drainWaiting()
        for id in waiting { await registry.update(id) { $0.fail(reason, at: nowMillis()) } }
    }

    func release(_ taskId: String) {
        matcher.forget(taskId)
        guard slots.release(taskId) else { return }
        wake.yield()
    }

    func nextNonce() -> String {
        nonceCounter += 1
        return Snowflake.make(milliseconds: nowMillis(), increment: nonceCounter)
    }

    func command(_ bot: BotType, _ name: String) async -> ApplicationCommand? {
        if !commandsLoaded {
            commandsLoaded = true
            do {
                let index = try await rest.applicationCommandIndex(guildId: config.guildId)
                for cmd in index.application_commands {
                    guard let app = cmd.application_id, let bot = BotType(applicationId: app) else { continue }
                    commands[bot, default: [:]][cmd.name] = cmd
                }
            } catch {
                logger.warning("application-command index unavailable; using known versions", metadata: ["error": "\(error)"])
            }
        }
        return commands[bot]?[name]
    }
}
