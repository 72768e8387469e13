/// A task write committed by some instance, as the store's change notification carries it.
public struct StoredTaskChange: Sendable, Equatable, Codable {
    public var taskId: String
    public var revision: Int64
    public var accountId: String?
    /// The status written (raw value; nil when unknown to this version).
    public var status: String
    /// The instance that wrote it.
    public var instance: String

    /// Creates a change.
    public init(taskId: String, revision: Int64, accountId: String?, status: String, instance: String) {
        self.taskId = taskId
        self.revision = revision
        self.accountId = accountId
        self.status = status
        self.instance = instance
    }

    enum CodingKeys: String, CodingKey {
        case taskId = "t", revision = "r", accountId = "a", status = "s", instance = "i"
    }
}

/// Committed task writes of every instance sharing a store (PostgreSQL LISTEN/NOTIFY), so each one can
/// drop stale cached copies, feed live events and pick up tasks submitted elsewhere for its accounts.
/// Notifications may be lost while the feed reconnects: `connected` tells the follower to resynchronise.
public protocol TaskChangeFeed: Sendable {
    /// Follows the changes until cancelled, reconnecting after failures: `connected` runs each time the
    /// feed listens (again), `handle` for every change in commit order.
    func follow(connected: @escaping @Sendable () async -> Void, handle: @escaping @Sendable (StoredTaskChange) async -> Void) async throws
}
