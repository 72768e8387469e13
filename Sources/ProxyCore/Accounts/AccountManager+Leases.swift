import Logging

/// Accounts under leases (several instances on one store): the `LeaseKeeper` attaches the accounts
/// this instance holds and detaches the ones it gives up or lost; the others are known (listed by
/// the account API) but run elsewhere.
extension AccountManager {
    /// Enabled accounts in configuration order (the ones that should run on some instance).
    public func enabledAccountIds() -> [String] {
        records.filter { $0.config.enabled }.map(\.config.id)
    }

    /// Every known account (held here or not), in configuration order.
    public func accountRecords() -> [AccountRecord] { records }

    /// Starts running an account this instance now holds; false when it is unknown, disabled or already running.
    @discardableResult
    public func attach(_ id: String) async -> Bool {
        guard let record = records.first(where: { $0.config.id == id }), record.config.enabled, await pool.account(id: id) == nil else {
            return false
        }
        await pool.add(await running(record))
        logger.info("account attached (lease held here)", metadata: ["account": "\(id)"])
        return true
    }

    /// Stops running an account here (lease given up or lost) and waits until it sends nothing more.
    /// Its tasks stay as they are in the store, for the instance that takes the account next.
    public func detach(_ id: String) async {
        guard let account = await pool.remove(id: id) else { return }
        _ = await account.takeQueued()
        await account.waitUntilStopped()
        logger.info("account detached", metadata: ["account": "\(id)"])
    }

    /// Sets how the instance holding an account is found (the lease keeper's view).
    public func setHolderLookup(_ lookup: @escaping @Sendable (String) async -> String?) { holderLookup = lookup }

    /// The instance holding `id`'s lease (nil without leases, or when nobody holds it).
    public func holder(of id: String) async -> String? { await holderLookup?(id) }
}
