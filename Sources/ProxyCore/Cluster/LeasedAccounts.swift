/// What a `LeaseKeeper` drives: the accounts of this instance that run only while it holds their
/// lease (implemented over the account manager and the task service by `ClusterAccounts`).
public protocol LeasedAccounts: Sendable {
    /// The accounts that should run somewhere (enabled ones), in configuration order.
    func leasableAccounts() async -> [String]
    /// Waiting and running tasks of each of `accountIds` here (surplus accounts given up are the idlest).
    func load(of accountIds: Set<String>) async -> [String: Int]
    /// Starts running an account whose lease this instance just took, adopting its unfinished tasks.
    func attach(_ accountId: String) async
    /// Stops an account this instance gives up (or lost) and forgets its tasks here; returns once the
    /// account sends nothing more, so its lease may be released.
    func detach(_ accountId: String) async
    /// Takes over the unfinished tasks of the held accounts that this instance does not run yet (submitted
    /// on another instance); `taskIds` narrows the look-up to tasks named by a change notification.
    func pickUp(held: Set<String>, taskIds: [String]?) async
}
