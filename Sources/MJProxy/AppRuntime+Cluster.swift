import DiscordKit
import Logging
import ProxyCore
import ServiceLifecycle

/// Several instances on one PostgreSQL store: the lease keeper and what `/ready` adds for it.
extension AppRuntime {
    /// The lease keeper when the store has leases (PostgreSQL); the account API learns the holders from it.
    /// Submissions no local account takes go to accounts other instances hold.
    static func makeLeaseKeeper(
        _ opened: OpenedStore, config: AppConfig, accounts: AccountManager, service: TaskService, logger: Logger
    ) async -> LeaseKeeper? {
        guard let leases = opened.leases else { return nil }
        let settings = LeaseKeeper.Settings(
            instanceId: opened.instanceId, leaseDuration: .milliseconds(Int64(config.instance.leaseSeconds * 1000)),
            renewInterval: .milliseconds(Int64(config.instance.renewSeconds * 1000)))
        let ids = service.ids
        let keeper = LeaseKeeper(
            settings: settings, store: leases, accounts: ClusterAccounts(manager: accounts, service: service), logger: logger,
            onLane: { ids.setLane($0) })
        await accounts.setHolderLookup { id in await keeper.holder(of: id) }
        service.placeElsewhere(using: ClusterPlacement(keeper: keeper, manager: accounts), writes: leases as? any SharedTaskWrites)
        logger.info("instance of a cluster on the PostgreSQL store", metadata: ["instance": "\(settings.instanceId)"])
        return keeper
    }

    /// With leases: asked before each job is sent, whether this instance still holds the account's lease.
    var leaseGate: (@Sendable (String) async -> Bool)? {
        guard let keeper else { return nil }
        return { accountId in await keeper.mayRun(accountId) }
    }

    /// The lease keeper (after pool and accounts: at shutdown it stops first, handing its accounts over
    /// before they stop) and the follower of the other instances' task changes.
    func clusterServices() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        guard let keeper else { return [] }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: keeper)]
        if let feed = store as? any TaskChangeFeed {
            let pool = self.pool
            let sync = ClusterTaskSync(
                feed: feed, instanceId: keeper.settings.instanceId, registry: registry, keeper: keeper, events: events,
                stopRunning: { taskId, accountId in await pool.account(id: accountId)?.cancel(taskId) },
                resumeWaiting: { taskId, accountId in await pool.account(id: accountId)?.requeue(taskId) }, logger: logger)
            services.append(.init(service: sync))
        }
        return services
    }

    /// `/ready` with leases: this instance's id and held accounts; not ready before the first lease round.
    /// An instance holding no account is ready (it serves the API) once every enabled account is held by
    /// some instance (more instances than accounts); otherwise it needs a connected account of its own.
    func clusterReadiness() async -> (reasons: [JSONValue], fields: [(String, JSONValue)], needsAccount: Bool) {
        guard let keeper else { return ([], [], true) }
        let held = await keeper.held.sorted()
        let rounds = await keeper.roundsCompleted
        let holders = await keeper.holders
        let unheld = await accounts.enabledAccountIds().contains { holders[$0] == nil }
        let fields: [(String, JSONValue)] = [
            ("instance", .string(keeper.settings.instanceId)), ("heldAccounts", .array(held.map { .string($0) })),
        ]
        return (rounds == 0 ? ["account leases not read yet"] : [], fields, !held.isEmpty || unheld)
    }
}
