/// Accounts other instances of a cluster hold, as scheduling candidates: a submission no account of
/// this instance can take is recorded for one of them, and its holder picks it up.
public protocol RemoteAccounts: Sendable {
    /// Enabled accounts held by other instances (their load is not known here: they count as idle and ready).
    func remoteCandidates(bot: BotType) async -> [AccountCandidate]
}

/// `RemoteAccounts` from the lease keeper's view of the holders and the account manager's settings.
public struct ClusterPlacement: RemoteAccounts {
    let keeper: LeaseKeeper
    let manager: AccountManager

    /// Creates the view.
    public init(keeper: LeaseKeeper, manager: AccountManager) {
        self.keeper = keeper
        self.manager = manager
    }

    public func remoteCandidates(bot: BotType) async -> [AccountCandidate] {
        let holders = await keeper.holders
        let me = keeper.settings.instanceId
        let served = Eligibility.servedBot(bot).rawValue
        var out: [AccountCandidate] = []
        for (i, record) in await manager.accountRecords().enumerated() where record.config.enabled {
            guard let holder = holders[record.config.id], holder != me else { continue }
            out.append(AccountCandidate(config: record.config, order: i, ready: true, remixOn: record.botState.remix[served] ?? false))
        }
        return out
    }
}
