import DiscordKit
import Foundation

/// One webhook POST waiting in the durable outbox: the task's JSON as it was at that change, where
/// to send it, and its retry state. Written in the same transaction as the task change, removed when
/// delivered, superseded or given up — so a crash loses none and a restart retries them.
public struct OutboxDelivery: Sendable, Equatable {
    /// Store row id (0 until stored); orders the deliveries of a task.
    public var id: Int64
    public var taskId: String
    /// The task's webhook sequence at that change (`X-Mjproxy-Sequence`).
    public var sequence: Int64
    public var event: TaskEvent
    public var url: String
    /// The task JSON, exactly as fetch returned it then.
    public var body: String
    /// `X-Mjproxy-Delivery`: the same across retries and restarts, so receivers can deduplicate.
    public var deliveryId: String
    public var attempts: Int
    /// When it was recorded (ms); retries stop `giveUpAfter` later.
    public var createdAt: Int64
    /// When it may be tried (again), ms.
    public var nextAttempt: Int64
    /// Set by `dueDeliveries`: a newer state of the same task waits behind this one.
    public var superseded: Bool

    /// Creates a pending delivery.
    public init(
        id: Int64 = 0, taskId: String, sequence: Int64, event: TaskEvent, url: String, body: String, deliveryId: String, attempts: Int = 0,
        createdAt: Int64, nextAttempt: Int64, superseded: Bool = false
    ) {
        self.id = id
        self.taskId = taskId
        self.sequence = sequence
        self.event = event
        self.url = url
        self.body = body
        self.deliveryId = deliveryId
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttempt = nextAttempt
        self.superseded = superseded
    }
}

/// Which changes become webhook deliveries: the task's `notifyHook`, else the global hook.
public struct WebhookPlan: Sendable {
    public var globalHook: String?

    /// Creates a plan.
    public init(globalHook: String?) { self.globalHook = globalHook }

    /// The delivery a visible change of `task` (encoded as `json`) produces, or nil when it has no target.
    public func delivery(for task: MJTask, json: String, event: TaskEvent, now: Int64) -> OutboxDelivery? {
        guard let url = task.notifyHook ?? globalHook, !url.isEmpty else { return nil }
        return OutboxDelivery(
            taskId: task.id, sequence: task.sequence, event: event, url: url, body: json,
            deliveryId: UUID().uuidString.lowercased(), createdAt: now, nextAttempt: now)
    }
}
