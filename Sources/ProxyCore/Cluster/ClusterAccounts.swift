/// The accounts a `LeaseKeeper` drives, over the account manager (which runs them) and the task
/// service (which hands their tasks over).
public struct ClusterAccounts: LeasedAccounts {
    let manager: AccountManager
    let service: TaskService

    /// Creates the adapter.
    public init(manager: AccountManager, service: TaskService) {
        self.manager = manager
        self.service = service
    }

    public func leasableAccounts() async -> [String] {
        // Accounts other instances created, changed or deleted count from this round on.
        await manager.syncFromStore()
        return await manager.enabledAccountIds()
    }

    public func load(of accountIds: Set<String>) async -> [String: Int] {
        var out: [String: Int] = [:]
        for id in accountIds {
            guard let account = await service.pool.account(id: id) else { continue }
            out[id] = await account.waitingCount + account.runningCount
        }
        return out
    }

    public func attach(_ accountId: String) async {
        guard await manager.attach(accountId) else { return }
        await service.adopt(accounts: [accountId], taskIds: nil)
    }

    public func detach(_ accountId: String) async {
        // Forgotten first: whatever the stopping account still does to its tasks is not written.
        _ = await service.registry.forget(accountId: accountId)
        await manager.detach(accountId)
    }

    public func pickUp(held: Set<String>, taskIds: [String]?) async {
        await service.adopt(accounts: held, taskIds: taskIds)
    }
}
