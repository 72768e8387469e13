import DiscordKit

/// One live-event subscriber's mailbox (an SSE connection): the hub drops changes in, one consumer
/// takes them out in order.
///
/// Bounded by design: per task only the newest pending change is kept (a newer one replaces it in
/// place), so a client that reads slowly holds at most one pending notice per task it watches and
/// receives the latest state (with its sequence and event name) when it catches up; intermediate
/// progress it did not read in time is skipped, never the final state, which is always the newest.
/// Keep-alive ticks coalesce into one flag the same way.
public final class TaskEventSubscription: Sendable {
    /// What `next()` hands out.
    public enum Item: Sendable, Equatable {
        /// A change of a watched task.
        case change(TaskChangeNotice)
        /// Time for a keep-alive (`tick()` was called since the last one was taken).
        case tick
    }

    private struct State: Sendable {
        var pending: [String: TaskChangeNotice] = [:]
        /// Task ids with a pending notice, oldest first.
        var order: [String] = []
        var tickDue = false
        var closed = false
        var waiter: CheckedContinuation<Item?, Never>?

        /// The next item, pending changes first; nil when there is none.
        mutating func take() -> Item? {
            if !order.isEmpty {
                let id = order.removeFirst()
                if let notice = pending.removeValue(forKey: id) { return .change(notice) }
            }
            if tickDue {
                tickDue = false
                return .tick
            }
            return nil
        }

        /// The waiting consumer with the item it gets, if both exist.
        mutating func wakeUp() -> (CheckedContinuation<Item?, Never>, Item)? {
            guard let w = waiter, let item = take() else { return nil }
            waiter = nil
            return (w, item)
        }
    }

    /// Hub-assigned identity.
    public let id: UInt64
    /// The tasks this subscriber watches.
    public let taskIds: Set<String>
    private let state = Locked(State())

    init(id: UInt64, taskIds: Set<String>) {
        self.id = id
        self.taskIds = taskIds
    }

    /// Queues `notice` (replacing an older pending notice of the same task). Ignored once closed.
    func deliver(_ notice: TaskChangeNotice) {
        let wake = state.withLock { s -> (CheckedContinuation<Item?, Never>, Item)? in
            guard !s.closed else { return nil }
            if let queued = s.pending[notice.taskId] {
                if notice.sequence >= queued.sequence { s.pending[notice.taskId] = notice }
            } else {
                s.pending[notice.taskId] = notice
                s.order.append(notice.taskId)
            }
            return s.wakeUp()
        }
        if let (w, item) = wake { w.resume(returning: item) }
    }

    /// Asks the consumer for a keep-alive (several before it reads count once).
    public func tick() {
        let wake = state.withLock { s -> (CheckedContinuation<Item?, Never>, Item)? in
            guard !s.closed else { return nil }
            s.tickDue = true
            return s.wakeUp()
        }
        if let (w, item) = wake { w.resume(returning: item) }
    }

    /// Ends the subscription from the consumer's side (its client went away): as `close`. The owner
    /// still calls the hub's `unsubscribe`, which frees the hub's index of it.
    public func cancel() { close() }

    /// Ends the subscription: pending notices are dropped, `next()` returns nil from now on.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Item?, Never>? in
            s.closed = true
            s.pending = [:]
            s.order = []
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the subscription was closed (by the hub or by cancellation of `next()`).
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Changes waiting to be taken (at most one per watched task).
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// The next change or keep-alive, waiting for one; nil once closed. Single consumer.
    /// Cancelling the waiting task closes the subscription.
    public func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Item?, Never>) in
                let ready = state.withLock { s -> Item?? in
                    if s.closed { return .some(nil) }
                    if let item = s.take() { return .some(item) }
                    s.waiter = c
                    return .none
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }
}
