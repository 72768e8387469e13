import ServiceLifecycle

/// Fans task changes out to live-event subscribers (SSE streams, contract §5.7).
///
/// Fed by the registry (as one of its `TaskEventSink`s: every visible change, in order per task) and,
/// through `TaskChangePublisher`, by any other source of changes (a database feed of other
/// instances). Each subscriber watches a set of task ids and owns a bounded mailbox
/// (`TaskEventSubscription`: the newest pending change per task). A task's JSON is encoded once per
/// change and only when someone watches it.
///
/// As a Service it only waits: when graceful shutdown begins it closes every subscription (open
/// streams end, so the HTTP server can stop without waiting for them) and refuses new ones.
public actor TaskEventHub: TaskEventSink, TaskChangePublisher, Service {
    private var subscriptions: [UInt64: TaskEventSubscription] = [:]
    /// Subscription ids per watched task id.
    private var watchers: [String: Set<UInt64>] = [:]
    private var nextId: UInt64 = 0
    private var closed = false

    /// Creates an empty hub.
    public init() {}

    /// Starts watching `taskIds`. The caller reads the tasks' current state after this call (so no
    /// change is missed) and must `unsubscribe` when done. After shutdown the subscription comes
    /// back closed.
    public func subscribe(to taskIds: some Sequence<String>) -> TaskEventSubscription {
        nextId += 1
        let subscription = TaskEventSubscription(id: nextId, taskIds: Set(taskIds))
        guard !closed else {
            subscription.close()
            return subscription
        }
        subscriptions[subscription.id] = subscription
        for id in subscription.taskIds { watchers[id, default: []].insert(subscription.id) }
        return subscription
    }

    /// Stops a subscription and frees everything it held (idempotent).
    public func unsubscribe(_ subscription: TaskEventSubscription) {
        subscription.close()
        guard subscriptions.removeValue(forKey: subscription.id) != nil else { return }
        for id in subscription.taskIds {
            watchers[id]?.remove(subscription.id)
            if watchers[id]?.isEmpty == true { watchers[id] = nil }
        }
    }

    /// Subscriptions open now.
    public var subscriberCount: Int { subscriptions.count }

    /// Task ids watched by at least one subscription now.
    public var watchedTaskCount: Int { watchers.count }

    public func watches(_ taskId: String) -> Bool { watchers[taskId] != nil }

    public func publish(_ notice: TaskChangeNotice) {
        guard let ids = watchers[notice.taskId] else { return }
        for id in ids { subscriptions[id]?.deliver(notice) }
    }

    /// A change from this process's registry: encoded once, only when watched.
    public func taskChanged(_ task: MJTask, event: TaskEvent) async {
        guard watchers[task.id] != nil else { return }
        publish(TaskChangeNotice(task, event: event))
    }

    /// Waits for graceful shutdown, then closes every subscription.
    public func run() async throws {
        try? await gracefulShutdown()
        closeAll()
    }

    /// Closes every subscription and refuses new ones (shutdown).
    public func closeAll() {
        closed = true
        for s in subscriptions.values { s.close() }
        subscriptions = [:]
        watchers = [:]
    }
}
