import Logging
import ServiceLifecycle

/// Follows the task writes of the other instances (`TaskChangeFeed`): a cached copy older than the
/// change is dropped, live-event subscribers of the task here get its new state (read from the store),
/// and a waiting task recorded for an account this instance holds is picked up at once (the lease
/// keeper's rounds poll for the ones a lost notification missed).
public struct ClusterTaskSync: Service {
    let feed: any TaskChangeFeed
    let instanceId: String
    let registry: TaskRegistry
    let keeper: LeaseKeeper
    let events: (any TaskChangePublisher)?
    /// Stops a task of an account running here (its queue slot, its results discarded).
    let stopRunning: @Sendable (_ taskId: String, _ accountId: String) async -> Void
    /// Queues a task of an account running here again (a MODAL task submitted elsewhere).
    let resumeWaiting: @Sendable (_ taskId: String, _ accountId: String) async -> Void
    let logger: Logger

    /// Creates the follower.
    public init(
        feed: any TaskChangeFeed, instanceId: String, registry: TaskRegistry, keeper: LeaseKeeper, events: (any TaskChangePublisher)?,
        stopRunning: @escaping @Sendable (_ taskId: String, _ accountId: String) async -> Void = { _, _ in },
        resumeWaiting: @escaping @Sendable (_ taskId: String, _ accountId: String) async -> Void = { _, _ in }, logger: Logger
    ) {
        self.stopRunning = stopRunning
        self.resumeWaiting = resumeWaiting
        self.feed = feed
        self.instanceId = instanceId
        self.registry = registry
        self.keeper = keeper
        self.events = events
        self.logger = logger
    }

    /// Follows the feed until graceful shutdown.
    public func run() async throws {
        let cache = registry.cache
        let keeper = self.keeper
        try? await cancelWhenGracefulShutdown {
            try await feed.follow(
                connected: {
                    // Changes may have been missed while not listening: nothing cached can be trusted, and
                    // a pick-up round finds the tasks submitted meanwhile.
                    cache.removeAll()
                    keeper.hint([])
                },
                handle: { change in await self.handle(change) })
        }
    }

    /// Applies one change of another instance.
    func handle(_ change: StoredTaskChange) async {
        guard change.instance != instanceId else { return }
        registry.cache.invalidate(change.taskId, revision: change.revision)
        // Finished by another instance (a cancel sent there) while it runs here: stop it, discard its results.
        if let status = TaskStatus(rawValue: change.status), status.isFinished, await registry.liveTask(id: change.taskId) != nil {
            if let account = change.accountId { await stopRunning(change.taskId, account) }
            _ = await registry.finishedElsewhere(change.taskId, revision: change.revision)
        }
        // A MODAL task of this instance submitted on another one: it waits for a slot here now.
        if change.status == TaskStatus.notStart.rawValue, let account = change.accountId, await registry.liveTask(id: change.taskId)?.status == .modal {
            if let (old, new) = await registry.reloadChanged(change.taskId), old.status == .modal, new.status == .notStart {
                await resumeWaiting(change.taskId, account)
            }
        }
        let waiting = [TaskStatus.notStart.rawValue, TaskStatus.modal.rawValue].contains(change.status)
        if waiting, let account = change.accountId, await keeper.held.contains(account) {
            keeper.hint([change.taskId])
        }
        if let events, await events.watches(change.taskId), let task = try? await registry.task(id: change.taskId) {
            await events.publish(TaskChangeNotice(task))
        }
    }
}
