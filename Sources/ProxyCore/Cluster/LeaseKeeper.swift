import Logging
import ServiceLifecycle

/// Holds this instance's share of the accounts when several instances share one store: every round
/// (`renewInterval`) it records a heartbeat, renews its leases (accounts whose lease was lost stop at
/// once), gives up accounts beyond its fair share (`FairShare`) and takes free or expired ones up to
/// it. Work (rounds, pick-up hints from change notifications) runs one item at a time, so attaching,
/// detaching and task pick-up never interleave.
///
/// Fencing: when no renewal succeeded for `leaseDuration - renewInterval` (the store is unreachable),
/// every held account is stopped before its lease can expire and be taken elsewhere. A graceful stop
/// stops the accounts, then releases every lease at once.
public actor LeaseKeeper: Service {
    /// Identity and timing.
    public struct Settings: Sendable {
        public var instanceId: String
        /// How long a lease lasts without renewal.
        public var leaseDuration: Duration
        /// How often leases are renewed (and free accounts looked for).
        public var renewInterval: Duration
        /// When this instance started (ms).
        public var startedAt: Int64

        /// Creates settings (defaults: 10 s leases renewed every 2.5 s, so a dead instance's accounts move within 15 s).
        public init(instanceId: String, leaseDuration: Duration = .seconds(10), renewInterval: Duration = .milliseconds(2500), startedAt: Int64 = nowMillis()) {
            self.instanceId = instanceId
            self.leaseDuration = leaseDuration
            self.renewInterval = renewInterval
            self.startedAt = startedAt
        }
    }

    enum Work: Sendable {
        case round
        case pickUp([String])
    }

    public nonisolated let settings: Settings
    let store: any AccountLeaseStore
    let accounts: any LeasedAccounts
    let logger: Logger
    /// A monotonic clock in milliseconds (injectable for tests).
    let now: @Sendable () -> Int64
    /// Accounts this instance holds (and runs).
    public private(set) var held: Set<String> = []
    /// Every unexpired lease as last read: account id → instance id.
    public private(set) var holders: [String: String] = [:]
    /// Instances alive at the last round.
    public private(set) var liveInstances: [InstanceInfo] = []
    /// Rounds that reached the store (readiness waits for the first).
    public private(set) var roundsCompleted = 0
    /// When (by `now`) the last successful renewal started.
    private var confirmedAt: Int64?
    /// The task-id lane this instance holds (a lease named `~lane-N`), so ids of instances never collide.
    public private(set) var lane: Int?
    /// Told when the lane is taken or lost (the task id generator).
    private let onLane: @Sendable (Int?) -> Void
    private let work: AsyncStream<Work>
    private let workContinuation: AsyncStream<Work>.Continuation

    /// Creates a keeper; nothing happens until `run` (or `round` in tests).
    public init(
        settings: Settings, store: any AccountLeaseStore, accounts: any LeasedAccounts, logger: Logger,
        now: @escaping @Sendable () -> Int64 = LeaseKeeper.monotonicMillis, onLane: @escaping @Sendable (Int?) -> Void = { _ in }
    ) {
        self.onLane = onLane
        self.settings = settings
        self.store = store
        self.accounts = accounts
        self.logger = logger
        self.now = now
        (work, workContinuation) = AsyncStream<Work>.makeStream(bufferingPolicy: .bufferingNewest(64))
    }

    /// Milliseconds of a monotonic clock (only differences matter).
    public static let monotonicMillis: @Sendable () -> Int64 = {
        let origin = ContinuousClock.now
        return { (ContinuousClock.now - origin).milliseconds }
    }()

    /// Asks for a pick-up of tasks another instance created for this instance's accounts.
    public nonisolated func hint(_ taskIds: [String]) { workContinuation.yield(.pickUp(taskIds)) }

    /// Lease names of the task-id lanes (never account ids).
    static let lanes = (0..<10).map { "~lane-\($0)" }

    /// The instance holding `accountId`, as last read (nil: nobody, or not read yet).
    public func holder(of accountId: String) -> String? { held.contains(accountId) ? settings.instanceId : holders[accountId] }

    // MARK: rounds

    /// One round: heartbeat, renewal (lost accounts stop), surplus given up, free accounts taken, and a
    /// pick-up of tasks submitted elsewhere for the held accounts (the polling fallback of notifications).
    public func round() async {
        let started = now()
        let me = settings.instanceId
        do {
            liveInstances = try await store.heartbeat(instance: me, startedAt: settings.startedAt, liveWithin: settings.leaseDuration)
            // Another live process with this instance id: its leases are not ours; hold nothing until it stops.
            guard liveInstances.first(where: { $0.id == me })?.startedAt == settings.startedAt else {
                logger.error("another running process uses this instance id: holding no account", metadata: ["instance": "\(me)"])
                await fence(force: true)
                return
            }
            var renewed = try await store.renewLeases(instance: me, duration: settings.leaseDuration)
            confirmedAt = started
            try await keepLane(renewed: renewed)
            renewed.subtract(Self.lanes)
            for lost in held.subtracting(renewed).sorted() {
                logger.warning("account lease lost: stopping the account here", metadata: ["account": "\(lost)", "instance": "\(me)"])
                held.remove(lost)
                await accounts.detach(lost)
            }
            for found in renewed.subtracting(held).sorted() {
                held.insert(found)
                await accounts.attach(found)
            }
            let enabled = await accounts.leasableAccounts()
            holders = try await store.leaseHolders().filter { !$0.key.hasPrefix("~lane-") }
            let share = FairShare.share(accounts: enabled.count, instances: max(1, liveInstances.count))
            let plan = FairShare.plan(
                instance: me, held: held, enabled: enabled, holders: holders, share: share, load: await accounts.load(of: held))
            if !plan.release.isEmpty {
                for id in plan.release {
                    held.remove(id)
                    await accounts.detach(id)
                }
                try await store.releaseLeases(plan.release, instance: me)
                for id in plan.release { holders[id] = nil }
                logger.info("accounts given up (fair share)", metadata: ["accounts": "\(plan.release)", "share": "\(share)", "instance": "\(me)"])
            }
            if !plan.acquire.isEmpty {
                let got = try await store.acquireLeases(plan.acquire, instance: me, duration: settings.leaseDuration)
                for id in plan.acquire where got.contains(id) {
                    held.insert(id)
                    holders[id] = me
                    await accounts.attach(id)
                }
                if !got.isEmpty { logger.info("accounts taken", metadata: ["accounts": "\(got.sorted())", "share": "\(share)", "instance": "\(me)"]) }
            }
            if !held.isEmpty { await accounts.pickUp(held: held, taskIds: nil) }
            roundsCompleted += 1
        } catch {
            logger.warning("account lease round failed", metadata: ["error": "\(error)", "instance": "\(me)"])
        }
        await fence()
    }

    /// Keeps a task-id lane: the renewed one, else the first free one (nil while all ten are taken).
    private func keepLane(renewed: Set<String>) async throws {
        if let lane, renewed.contains(Self.lanes[lane]) { return }
        if lane != nil { logger.warning("task id lane lost", metadata: ["lane": "\(lane ?? -1)", "instance": "\(settings.instanceId)"]) }
        lane = nil
        for (n, name) in Self.lanes.enumerated() {
            guard try await store.acquireLeases([name], instance: settings.instanceId, duration: settings.leaseDuration).contains(name) else { continue }
            lane = n
            break
        }
        if lane == nil {
            logger.error("no free task id lane: at most ten instances can share a store", metadata: ["instance": "\(settings.instanceId)"])
        }
        onLane(lane)
    }

    /// Whether a job of `accountId` may be sent now: held here by the last round, renewed recently enough,
    /// and (asked of the store) still this instance's lease. A store that does not answer means no.
    public func mayRun(_ accountId: String) async -> Bool {
        guard held.contains(accountId), let confirmedAt, now() - confirmedAt < (settings.leaseDuration - settings.renewInterval).milliseconds else {
            return false
        }
        return (try? await store.holdsLease(accountId, instance: settings.instanceId)) ?? false
    }

    /// Stops every held account when no renewal succeeded for `leaseDuration - renewInterval`: their
    /// leases may expire before the next renewal, and then another instance runs them.
    public func fence(force: Bool = false) async {
        guard !held.isEmpty || lane != nil else { return }
        let limit = (settings.leaseDuration - settings.renewInterval).milliseconds
        guard !force, let confirmedAt, now() - confirmedAt < limit else {
            logger.error("account leases not renewed in time: stopping every account here", metadata: ["accounts": "\(held.sorted())"])
            let all = held.sorted()
            held = []
            lane = nil
            onLane(nil)
            for id in all { await accounts.detach(id) }
            return
        }
    }

    /// Graceful stop: stops every held account, then releases all leases at once and leaves the cluster.
    public func leave() async {
        let all = held.sorted()
        held = []
        lane = nil
        onLane(nil)
        for id in all { await accounts.detach(id) }
        do {
            try await store.releaseLeases(nil, instance: settings.instanceId)
            try await store.leave(instance: settings.instanceId)
            if !all.isEmpty { logger.info("account leases released", metadata: ["accounts": "\(all)", "instance": "\(settings.instanceId)"]) }
        } catch {
            logger.warning("releasing account leases failed (they expire)", metadata: ["error": "\(error)"])
        }
    }

    // MARK: service

    /// Rounds every `renewInterval` and pick-ups when hinted, one at a time, until graceful shutdown; then `leave`.
    public func run() async throws {
        let interval = settings.renewInterval
        let continuation = workContinuation
        let stream = work
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    continuation.yield(.round)
                    do { try await Task.sleep(for: interval) } catch { return }
                }
            }
            for await item in stream.cancelOnGracefulShutdown() {
                switch item {
                case .round:
                    await round()
                case .pickUp(let ids):
                    await fence()
                    // An empty hint asks for a full look (the notifications were interrupted).
                    if !held.isEmpty { await accounts.pickUp(held: held, taskIds: ids.isEmpty ? nil : ids) }
                }
            }
            group.cancelAll()
        }
        await leave()
    }
}
