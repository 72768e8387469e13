import Foundation
import Logging
import PostgresNIO
import ProxyCore

/// Change notifications: every task write sends `pg_notify` in its own statement (so at its commit) on
/// a channel named after the schema; `follow` listens on a connection of its own.
extension PostgresTaskStore: TaskChangeFeed {
    /// The notification channel of this store's schema (stores in other schemas of one database do not hear it).
    var changeChannel: String { "mjproxy_tasks_\(configuration.schema)" }

    public func follow(
        connected: @escaping @Sendable () async -> Void, handle: @escaping @Sendable (StoredTaskChange) async -> Void
    ) async throws {
        let decoder = JSONDecoder()
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
                do {
                    try await connection.listen(on: changeChannel) { notifications in
                        delay = .milliseconds(250)
                        await connected()
                        for try await n in notifications {
                            guard let change = try? decoder.decode(StoredTaskChange.self, from: Data(n.payload.utf8)) else { continue }
                            await handle(change)
                        }
                    }
                    try? await connection.close()
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("task change notifications interrupted; reconnecting", metadata: ["error": "\(PostgresStoreError(configuration, "listen", error))"])
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
