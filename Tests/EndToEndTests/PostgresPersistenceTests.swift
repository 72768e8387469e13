import DiscordKit
import Foundation
import PostgresNIO
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy
@testable import PostgresStorage

/// The whole proxy on the PostgreSQL store (`store.url`): an imagine succeeds, and a restart on the same
/// database still knows the task and adopts the one left running. Needs `MJPROXY_TEST_POSTGRES_URL`
/// (scripts/test starts a throw-away cluster); in CI a missing URL fails the test instead of skipping it.
@Suite struct PostgresPersistenceTests {
    static let url = ProcessInfo.processInfo.environment["MJPROXY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let runs: Bool = {
        if url != nil || ProcessInfo.processInfo.environment["CI"]?.isEmpty == false { return true }
        print("note: MJPROXY_TEST_POSTGRES_URL is not set: PostgresPersistenceTests left out (scripts/postgres/cluster.sh start prints one)")
        return false
    }()

    @Test(.enabled(if: runs)) func imagineSucceedsAndSurvivesARestartOnPostgreSQL() async throws {
        guard let base = Self.url else { throw TestFailure("MJPROXY_TEST_POSTGRES_URL is not set: the PostgreSQL store cannot be tested (run ./scripts/test)") }
        // A schema of its own: tests run in parallel against one database.
        let schema = "e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)&pool=4"
        let database = try PostgresStoreConfiguration(url: url)
        // The SQLite path is set too: with store.url it must stay unused.
        let sqlitePath = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-pg-unused-\(UUID().uuidString).sqlite").path
        let config = TestProxy.config(storePath: sqlitePath) {
            $0.storeURL = url
            $0.sandbox.accounts = 1
        }
        do {
            let (finished, pending) = try await TestProxy.with(config) { proxy in
                let done = try await proxy.imagine("a lighthouse kept in postgres")
                let (task, _) = try await proxy.waitFinished(done)
                #expect(task["status"]?.stringValue == "SUCCESS")
                #expect(task["progress"]?.stringValue == "100%")
                // A task the bot never answers stays unfinished across the restart.
                await proxy.runtime.sandbox!.world.arm(.noAnswer, forToken: TestProxy.token(1))
                let open = try await proxy.imagine("still running at shutdown")
                try await eventually("the open task to be submitted") {
                    try await proxy.get("/mj/task/\(open)/fetch")["status"]?.stringValue == "NOT_START" ? nil : true
                }
                return (try await proxy.get("/mj/task/\(done)/fetch"), open)
            }
            #expect(!FileManager.default.fileExists(atPath: sqlitePath), "the SQLite store was opened although store.url is set")
            // The rows are in the configured schema of the database.
            let id = try #require(finished["id"]?.stringValue)
            let rows = try await Self.sql(database, "SELECT status FROM tasks WHERE id = \(id)")
            #expect(try rows.map { try $0.decode(String.self) } == ["SUCCESS"])

            let restarted = TestProxy.config(storePath: sqlitePath) {
                $0.storeURL = url
                $0.sandbox.accounts = 1
                $0.sandbox.timeoutMinutes = 0.02
            }
            try await TestProxy.with(restarted) { proxy in
                #expect(try await proxy.get("/mj/task/\(id)/fetch") == finished)
                // The recovered running task is adopted by its account and ends (here by timeout), not lost.
                let (task, _) = try await proxy.waitFinished(pending)
                #expect(task["status"]?.stringValue == "FAILURE")
                #expect(task["failReason"]?.stringValue == "Task timeout")
                #expect(try await proxy.get("/mj/task/list").arrayValue?.count == 2)
            }
            _ = try await Self.sql(database, PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        } catch {
            _ = try? await Self.sql(database, PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
            throw error
        }
    }

    /// Runs SQL on the test database outside the proxy.
    static func sql(_ configuration: PostgresStoreConfiguration, _ query: PostgresQuery) async throws -> [PostgresRow] {
        let connection = try await PostgresConnection.connect(configuration: try configuration.connectionConfiguration(), id: 9, logger: .init(label: "t"))
        do {
            let rows = try await connection.query(query, logger: .init(label: "t")).collect()
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
