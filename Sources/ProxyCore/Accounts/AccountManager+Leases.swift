import Logging

/// Accounts under leases (several instances on one store): the `LeaseKeeper` attaches the accounts
/// this instance holds and detaches the ones it gives up or lost; the others are known (listed by
/// the account API) but run elsewhere.
extension AccountManager {
    /// Enabled accounts in configuration order (the ones that should run on some instance).
    public func enabledAccountIds() -> [String] {
        guard started else { return [] }
        return records.filter { $0.config.enabled }.map(\.config.id)
    }

    /// Every known account (held here or not), in configuration order.
    public func accountRecords() -> [AccountRecord] { records }

    /// Starts running an account this instance now holds; false when it is unknown, disabled or already running.
    @discardableResult
    public func attach(_ id: String) async -> Bool {
        guard started, let record = records.first(where: { $0.config.id == id }), record.config.enabled, await pool.account(id: id) == nil else {
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

    /// Brings the known accounts in line with the store, where other instances write theirs (created,
    /// changed, enabled or deleted through their API or config file): new ones become known, changed
    /// settings apply to an account running here as a local change does, deleted ones stop here (their
    /// waiting tasks here fail as on a local delete). Only with leases; sandbox accounts are never stored.
    public func syncFromStore() async {
        guard leased, started else { return }
        let stored: [AccountRecord]
        do { stored = try await store.accounts() } catch { return }
        let storedIds = Set(stored.map(\.config.id))
        for s in stored {
            guard let i = records.firstIndex(where: { $0.config.id == s.config.id }) else {
                records.append(s)
                continue
            }
            let running = await pool.account(id: s.config.id) != nil
            // What the bots told an account is written by the instance running it.
            if !running { records[i].botState = s.botState }
            let old = records[i].config
            guard s.config != old else { continue }
            records[i].config = s.config
            if records[i].origin != .sandbox { records[i].origin = s.origin }
            logger.info("account changed on another instance", metadata: ["account": "\(s.config.id)"])
            await activate(records[i], previous: old, reconnect: s.config.connectionDiffers(from: old))
        }
        for gone in records where gone.origin != .sandbox && !storedIds.contains(gone.config.id) {
            logger.info("account deleted on another instance", metadata: ["account": "\(gone.config.id)"])
            try? await delete(id: gone.config.id)
        }
    }
}
