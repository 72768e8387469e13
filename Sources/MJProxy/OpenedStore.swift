import Logging
import PostgresStorage
import ProxyCore
import ServiceLifecycle
import Storage

/// The store the configuration asks for: PostgreSQL when `store.url` is set, else SQLite at `store.path`.
struct OpenedStore: Sendable {
    let store: any TaskStore & AccountStore
    /// What must run for the store to work (PostgreSQL's connection pool): the runtime puts it first in
    /// its ServiceGroup, so it stops after every service that uses it.
    let service: (any Service)?
    /// The stored accounts as the store opened (read before any service runs).
    let accounts: [AccountRecord]
    /// Account leases when several instances can share the store (PostgreSQL); nil = every account runs here.
    var leases: (any AccountLeaseStore)?
    /// This process's instance id (`instance.id`, else generated once here).
    var instanceId = ""
    /// The image signing key the instances on a shared store use when none is configured.
    var sharedImageSigningKey: String?

    /// Opens (and migrates) the configured store. Errors name a PostgreSQL server by its redacted URL.
    static func open(_ config: AppConfig, logger: Logger) async throws -> OpenedStore {
        if let url = config.storeURL, !url.isEmpty {
            let configuration = try PostgresStoreConfiguration(url: url)
            logger.info("store: PostgreSQL", metadata: ["url": "\(configuration.redacted)"])
            let instanceId = config.instance.resolvedId
            let store = try await PostgresTaskStore.open(configuration, logger: logger, instanceId: instanceId)
            return OpenedStore(
                store: store, service: store, accounts: store.accountsAtOpen, leases: store, instanceId: instanceId,
                sharedImageSigningKey: store.sharedImageSigningKey)
        }
        let sqlite = try await SQLiteTaskStore.open(path: config.storePath, logger: logger)
        return OpenedStore(store: sqlite, service: nil, accounts: try await sqlite.accounts())
    }
}
