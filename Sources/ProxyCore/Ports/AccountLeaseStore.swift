/// One process of a cluster sharing a store, as its heartbeat row shows it.
public struct InstanceInfo: Sendable, Equatable {
    public var id: String
    /// When the instance started (ms).
    public var startedAt: Int64
    /// Its last heartbeat (ms, by the store's clock).
    public var lastSeen: Int64

    /// Creates a row.
    public init(id: String, startedAt: Int64, lastSeen: Int64) {
        self.id = id
        self.startedAt = startedAt
        self.lastSeen = lastSeen
    }
}

/// Who runs which account when several mjproxy processes share one store (PostgreSQL): each
/// account's gateway is held by exactly one instance through a lease that expires unless renewed.
/// Every operation is atomic in the store (times by the store's own clock), so two instances never
/// both acquire one account; an instance whose leases expired (it died or lost the store) finds them
/// gone at its next renewal.
public protocol AccountLeaseStore: Sendable {
    /// Records that `instance` is alive (inserts or refreshes its heartbeat) and returns every instance
    /// whose heartbeat is younger than `liveWithin`, itself included. A live row of another process
    /// with the same id (another `startedAt`) is left as it is, so that process sees it is not alone; an
    /// expired row is taken over.
    func heartbeat(instance: String, startedAt: Int64, liveWithin: Duration) async throws -> [InstanceInfo]
    /// Extends every unexpired lease `instance` holds to `duration` from now; returns the accounts it
    /// holds after that (a lease that expired meanwhile is not renewed: another instance may have it).
    func renewLeases(instance: String, duration: Duration) async throws -> Set<String>
    /// Takes each of `accountIds` that nobody holds or whose lease expired, for `duration`; returns the
    /// ones `instance` holds now among them.
    func acquireLeases(_ accountIds: [String], instance: String, duration: Duration) async throws -> Set<String>
    /// Gives up the given leases of `instance` (all of its leases when `accountIds` is nil) at once.
    func releaseLeases(_ accountIds: [String]?, instance: String) async throws
    /// Removes the heartbeat of `instance` (graceful stop: the others count one instance less at once).
    func leave(instance: String) async throws
    /// Whether `instance` holds an unexpired lease on `accountId` now.
    func holdsLease(_ accountId: String, instance: String) async throws -> Bool
    /// Unexpired leases: account id → instance id.
    func leaseHolders() async throws -> [String: String]
}
