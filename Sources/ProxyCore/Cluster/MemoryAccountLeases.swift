/// An in-memory `AccountLeaseStore` with an injected clock: the reference semantics of the PostgreSQL
/// leases, for tests of several `LeaseKeeper`s sharing it (each one an "instance").
public actor MemoryAccountLeases: AccountLeaseStore {
    private var instances: [String: InstanceInfo] = [:]
    private var leases: [String: (instance: String, expiresAt: Int64)] = [:]
    private let now: @Sendable () -> Int64

    /// Creates an empty store whose clock is `now` (milliseconds).
    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    public func heartbeat(instance: String, startedAt: Int64, liveWithin: Duration) async throws -> [InstanceInfo] {
        let t = now()
        let window = liveWithin.milliseconds
        // A live row of another process with this id stays as it is (only that process keeps it alive);
        // an expired one is replaced.
        if let row = instances[instance], t - row.lastSeen < window, row.startedAt != startedAt {
        } else {
            instances[instance] = InstanceInfo(id: instance, startedAt: startedAt, lastSeen: t)
        }
        return instances.values.filter { t - $0.lastSeen < window }.sorted { $0.id < $1.id }
    }

    public func renewLeases(instance: String, duration: Duration) async throws -> Set<String> {
        let t = now()
        var held = Set<String>()
        for (account, lease) in leases where lease.instance == instance && lease.expiresAt > t {
            leases[account] = (instance, t + duration.milliseconds)
            held.insert(account)
        }
        return held
    }

    public func acquireLeases(_ accountIds: [String], instance: String, duration: Duration) async throws -> Set<String> {
        let t = now()
        var got = Set<String>()
        for account in accountIds {
            if let lease = leases[account], lease.expiresAt > t, lease.instance != instance { continue }
            leases[account] = (instance, t + duration.milliseconds)
            got.insert(account)
        }
        return got
    }

    public func releaseLeases(_ accountIds: [String]?, instance: String) async throws {
        let ids = accountIds.map(Set.init) ?? Set(leases.keys)
        for account in ids where leases[account]?.instance == instance { leases[account] = nil }
    }

    public func leave(instance: String) async throws { instances[instance] = nil }

    public func holdsLease(_ accountId: String, instance: String) async throws -> Bool {
        guard let lease = leases[accountId] else { return false }
        return lease.instance == instance && lease.expiresAt > now()
    }

    public func leaseHolders() async throws -> [String: String] {
        let t = now()
        var out: [String: String] = [:]
        for (account, lease) in leases where lease.expiresAt > t { out[account] = lease.instance }
        return out
    }
}
