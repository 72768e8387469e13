import DiscordKit
import Foundation
import Logging
import Testing

@testable import ProxyCore

/// `AccountManager` without a network: start-time import (the file wins for the fields it sets,
/// API accounts stay, dropped file accounts go), reloads, and the store following every change.
/// The pool is never run, so accounts never connect.
@Suite struct AccountManagerTests {
    static let guild = "1172000000000000001"
    static func channel(_ n: Int) -> String { String(1_172_000_000_000_000_001 + Int64(n)) }

    static func manager(store: MemoryTaskStore) -> (AccountManager, AccountPool, TaskRegistry) {
        let logger = Logger(label: "test")
        let registry = TaskRegistry(store: store, logger: logger)
        let pool = AccountPool(registry: registry)
        let manager = AccountManager(pool: pool, store: store, registry: registry, logger: logger) { config in
            DiscordAccount(
                config: config, endpoints: DiscordEndpoints(gatewayURL: "ws://127.0.0.1:9", apiBase: "http://127.0.0.1:9/api/v9"), rest: HookREST(),
                registry: registry, logger: logger)
        }
        return (manager, pool, registry)
    }

    @Test func importKeepsStoredValuesTheFileDoesNotSet() async throws {
        let store = MemoryTaskStore()
        var stored = AccountConfig(id: "a", guildId: Self.guild, channelId: Self.channel(1), userToken: "old-token", coreSize: 7, remark: "set by api")
        stored.weight = 4
        try await store.saveAccount(AccountRecord(config: stored, createdAt: 1000, origin: .file, botState: AccountBotState()))
        try await store.saveAccount(
            AccountRecord(config: AccountConfig(id: "gone", guildId: Self.guild, channelId: Self.channel(2), userToken: "t"), createdAt: 1001, origin: .file))
        try await store.saveAccount(
            AccountRecord(config: AccountConfig(id: "api", guildId: Self.guild, channelId: Self.channel(3), userToken: "t"), createdAt: 1002, origin: .api))

        let file = AccountConfig(id: "a", guildId: Self.guild, channelId: Self.channel(1), userToken: "new-token", remark: "from file")
        let (manager, pool, _) = Self.manager(store: store)
        await manager.start(file: [file], fileFields: ["a": ["id", "guildId", "channelId", "userToken", "remark"]])

        let records = try await store.accounts()
        #expect(records.map(\.config.id).sorted() == ["a", "api"], "the file account it dropped is deleted, the API one stays")
        let a = try #require(records.first { $0.config.id == "a" })
        #expect(a.config.userToken == "new-token")
        #expect(a.config.remark == "from file")
        #expect(a.config.coreSize == 7, "a value the file does not set keeps the stored one")
        #expect(a.config.weight == 4)
        #expect(a.createdAt == 1000, "creation time survives the import")
        #expect(await pool.all.map(\.config.id).sorted() == ["a", "api"])
    }

    @Test func createUpdateDeleteFollowTheStore() async throws {
        let store = MemoryTaskStore()
        let (manager, pool, _) = Self.manager(store: store)
        await manager.start(file: [], fileFields: [:])
        let config = AccountConfig(id: "x", guildId: Self.guild, channelId: Self.channel(1), userToken: "tok", coreSize: 2)
        try await manager.create(config)
        await #expect(throws: AccountManager.Failure.exists("x")) { try await manager.create(config) }
        #expect(try await store.accounts().first?.origin == .api)

        try await manager.update(id: "x") { $0.coreSize = 5 }
        #expect(try await store.accounts().first?.config.coreSize == 5)
        let live = try #require(await pool.account(id: "x"))
        #expect(live.config.coreSize == 5, "limits apply to the running account")

        try await manager.update(id: "x") { $0.userToken = "other" }
        #expect(try await store.accounts().first?.config.userToken == "other")
        #expect(live.config.userToken == "tok", "a token change waits for the next reconnect")
        try await manager.reconnect(id: "x")
        let fresh = try #require(await pool.account(id: "x"))
        #expect(fresh !== live)
        #expect(fresh.config.userToken == "other")

        try await manager.delete(id: "x")
        #expect(try await store.accounts().isEmpty)
        #expect(await pool.all.isEmpty)
        await #expect(throws: AccountManager.Failure.notFound) { try await manager.delete(id: "x") }
    }

    @Test func reloadAddsChangesAndRemovesOnlyFileAccounts() async throws {
        let store = MemoryTaskStore()
        let (manager, pool, _) = Self.manager(store: store)
        let one = AccountConfig(id: "one", guildId: Self.guild, channelId: Self.channel(1), userToken: "t1", coreSize: 3)
        let two = AccountConfig(id: "two", guildId: Self.guild, channelId: Self.channel(2), userToken: "t2")
        await manager.start(file: [one, two], fileFields: [:])
        try await manager.create(AccountConfig(id: "api", guildId: Self.guild, channelId: Self.channel(3), userToken: "t3"))

        var changed = one
        changed.coreSize = 6
        let three = AccountConfig(id: "three", guildId: Self.guild, channelId: Self.channel(4), userToken: "t4")
        let counts = await manager.reloadFile([changed, three], fileFields: [:])
        #expect(counts.added == 1 && counts.changed == 1 && counts.removed == 1)
        #expect(await pool.all.map(\.config.id).sorted() == ["api", "one", "three"])
        #expect(await pool.account(id: "one")?.config.coreSize == 6)
        #expect(try await store.accounts().map(\.config.id).sorted() == ["api", "one", "three"])
    }
}
