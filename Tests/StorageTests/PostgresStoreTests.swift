import Foundation
import PostgresNIO
import ProxyCore
import Testing

@testable import PostgresStorage

/// What only the PostgreSQL store has: its URL, migrations shared by processes starting at once,
/// errors that never show the password.
@Suite struct PostgresStoreTests {
    /// Whether the server tests run (see `StoreKind.tested`).
    static let serverTests = StoreKind.tested.contains(.postgres)

    @Test func parsesStoreURLs() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://mj:s3cr%40t@db.example:6432/proxy?sslmode=require&schema=mj_one&pool=5")
        #expect(c.host == "db.example" && c.port == 6432 && c.username == "mj" && c.password == "s3cr@t" && c.database == "proxy")
        #expect(c.sslMode == .require && c.schema == "mj_one" && c.maximumConnections == 5 && c.socketDirectory == nil)
        #expect(c.redacted == "postgres://mj:***@db.example:6432/proxy?sslmode=require&schema=mj_one")
        let d = try PostgresStoreConfiguration(url: "postgresql://mj@127.0.0.1/proxy")
        #expect(d.port == 5432 && d.password == nil && d.schema == "public" && d.sslMode == .prefer && d.maximumConnections == 20)
        #expect(d.redacted == "postgres://mj@127.0.0.1:5432/proxy")
        let v6 = try PostgresStoreConfiguration(url: "postgres://mj:pw@[::1]:5433/proxy")
        #expect(v6.host == "::1" && v6.redacted == "postgres://mj:***@[::1]:5433/proxy")
        let socket = try PostgresStoreConfiguration(url: "postgres://mj@localhost:5999/proxy?host=/run/pg")
        #expect(socket.socketDirectory == "/run/pg" && socket.clientConfiguration().unixSocketPath == "/run/pg/.s.PGSQL.5999")
    }

    @Test(arguments: [
        ("mysql://mj:hunter2@h/db", "scheme"),
        ("postgres://:hunter2@h/db", "user"),
        ("postgres://mj:hunter2@h:5432/", "database"),
        ("postgres://mj:hunter2@h/db?sslmode=verify", "sslmode"),
        ("postgres://mj:hunter2@h/db?schema=Drop;Table", "schema"),
        ("postgres://mj:hunter2@h/db?pool=0", "pool"),
        ("postgres://mj:hunter2@h/db?password=x", "unknown parameter"),
        ("postgres://mj:hunter2@/db", "host"),
        ("not a url at all hunter2", "URL"),
    ])
    func refusesBadURLsWithoutShowingThePassword(url: String, problem: String) {
        do {
            _ = try PostgresStoreConfiguration(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.description.contains(problem), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func anUnreachableServerIsReportedWithoutThePassword() async throws {
        // A port nothing listens on: bind one, close it, connect there.
        let port = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let number = port.localAddress?.port ?? 1
        try await port.close()
        let c = try PostgresStoreConfiguration(url: "postgres://mj:hunter2@127.0.0.1:\(number)/db?sslmode=disable&pool=1")
        do {
            _ = try await withDeadline("connecting to a closed port", .seconds(30)) { try await PostgresTaskStore.open(c, logger: StoreHarness.logger) }
            Issue.record("opened a store on a closed port")
        } catch let error as PostgresStoreError {
            #expect(error.description.contains("postgres://mj:***@127.0.0.1:\(number)/db"), "\(error)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test(.enabled(if: serverTests)) func migrationsRunOnceWhenProcessesStartTogether() async throws {
        let configuration = try StoreHarness.postgresConfiguration().with(schema: StoreHarness.freshSchema("mig"))
        do {
            // Four "processes" open the same new schema at once: each step applies exactly once.
            let versions = try await withDeadline("concurrent opens", .seconds(60)) {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 { group.addTask { try await PostgresTaskStore.open(configuration, logger: StoreHarness.logger).schemaVersion } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            #expect(versions == Array(repeating: PostgresMigrations.all.count, count: 4))
            let rows = try await StoreHarness.sql(configuration, "SELECT version FROM schema_version")
            #expect(try rows.map { try $0.decode(Int.self) } == [PostgresMigrations.all.count])
            // Data survives a reopen, which migrates nothing; accounts are readable before the pool runs.
            let task = Fixture.task(7)
            try await StoreHarness.withPostgres(configuration) { store in
                try await store.save(task)
                try await store.saveAccount(Fixture.account(1, createdAt: 5))
            }
            try await StoreHarness.withPostgres(configuration) { (store: PostgresTaskStore) async throws in
                #expect(store.schemaVersion == PostgresMigrations.all.count)
                #expect(store.accountsAtOpen.map(\.config.remark) == ["account 1"])
                #expect(try await store.task(id: task.id) == task)
            }
            try await StoreHarness.dropSchema(configuration)
        } catch {
            try? await StoreHarness.dropSchema(configuration)
            throw error
        }
    }

    @Test(.enabled(if: serverTests)) func tablesLiveInTheConfiguredSchemaOnly() async throws {
        let base = try StoreHarness.postgresConfiguration()
        let one = try base.with(schema: StoreHarness.freshSchema("iso"))
        let two = try base.with(schema: StoreHarness.freshSchema("iso"))
        do {
            try await StoreHarness.withPostgres(one) { try await $0.save(Fixture.task(1)) }
            try await StoreHarness.withPostgres(two) { (store: PostgresTaskStore) async throws in
                #expect(try await store.task(id: Fixture.task(1).id) == nil)
                #expect(try await store.list(limit: 10, before: nil).isEmpty)
            }
            try await StoreHarness.dropSchema(one)
            try await StoreHarness.dropSchema(two)
        } catch {
            try? await StoreHarness.dropSchema(one)
            try? await StoreHarness.dropSchema(two)
            throw error
        }
    }
}
