import DiscordKit
import Foundation
import Logging
import Testing

@testable import ProxyCore

/// A REST client that records interactions and runs a hook while "sending" (to play the bot's
/// answer arriving before the POST returns); everything else is unused here.
struct HookREST: DiscordRESTClient {
    var onSend: @Sendable (InteractionRequest) async -> Void = { _ in }
    func sendInteraction(_ request: InteractionRequest) async throws { await onSend(request) }
    func applicationCommandIndex(guildId: String) async throws -> ApplicationCommandIndex { throw DiscordError.notConnected }
    func uploadFiles(channelId: String, files: [(filename: String, contentType: String, bytes: [UInt8])]) async throws -> [UploadedAttachmentRef] {
        throw DiscordError.notConnected
    }
    func createMessage(channelId: String, content: String, attachments: [UploadedAttachmentRef]) async throws -> Message { throw DiscordError.notConnected }
    func addReaction(channelId: String, messageId: String, emoji: String) async throws {}
    func openDM(recipientId: String) async throws -> String { throw DiscordError.notConnected }
    func currentUser() async throws -> DiscordUser { throw DiscordError.notConnected }
    func channelMessages(channelId: String, after: String, limit: Int) async throws -> [Message] { [] }
    func postActivity(url: String, body: JSONValue) async throws {}
    func download(url: String, maxBytes: Int) async throws -> (bytes: [UInt8], contentType: String?) { throw DiscordError.notConnected }
}

/// `AccountSlots` bookkeeping, and the account behaviours built on it: the timeout sweep covers
/// tasks still in `execute`, and waiters exist before the request is sent.
@Suite struct AccountSlotsTests {
    @Test func queueSlotsCancelAndRelease() {
        var s = AccountSlots(coreSize: 2, queueSize: 1)
        let ahead = [s.enqueue("a"), s.enqueue("b")]
        #expect(ahead == [0, 1])
        let taken = [s.next(at: 10), s.next(at: 11), s.next(at: 12)]
        #expect(taken == ["a", "b", nil])
        let aheadC = s.enqueue("c")
        #expect(aheadC == 0)
        #expect(!s.admitsMore, "two running and one waiting with queueSize 1")
        let none = s.next(at: 13)
        #expect(none == nil, "no free slot")
        let cancels = [s.cancel("c"), s.cancel("a")]
        #expect(cancels == [.dequeued, .runningJobKept])
        #expect(s.isCancelled("a") && s.isRunning("a"))
        let releases = [s.release("a"), s.release("a")]
        #expect(releases == [true, false])
        #expect(!s.isCancelled("a"))
        #expect(s.slotTaken("b") == 11)
        s.putBack("b")
        #expect(s.queue == ["b"] && !s.isRunning("b"))
        s.trackModal("m")
        let drained = s.drainWaiting()
        #expect(drained == ["b", "m"])
        #expect(s.queue.isEmpty && s.modal.isEmpty)
    }

    static func account(rest: HookREST = HookREST(), timeoutMinutes: Double = 1) -> (DiscordAccount, TaskRegistry) {
        let logger = Logger(label: "test")
        let registry = TaskRegistry(store: MemoryTaskStore(), logger: logger)
        let config = AccountConfig(guildId: "g", channelId: BotMessages.channel, userToken: "t", timeoutMinutes: timeoutMinutes)
        let account = DiscordAccount(
            config: config, endpoints: DiscordEndpoints(gatewayURL: "ws://127.0.0.1:9", apiBase: "http://127.0.0.1:9/api/v9"), rest: rest,
            registry: registry, logger: logger)
        return (account, registry)
    }

    @Test func aTaskHoldingASlotBeforeItsInteractionIsSentTimesOut() async throws {
        let (account, registry) = Self.account()
        let task = MJTask(id: "t1", action: .imagine, botType: .midJourney, prompt: "cat", submitTime: nowMillis())
        _ = try await account.enqueue("t1") { try await registry.create(task) }
        await account.gatewayStatus(.connected(sessionId: "s", resumed: true))
        // The dispatcher gives it a slot; `execute` would now upload or wait on a 429 (still NOT_START).
        #expect(await account.nextRunnable() == "t1")
        await account.sweepTimeouts(now: nowMillis() + 30_000)
        #expect(try await registry.task(id: "t1")?.status == .notStart, "within the timeout nothing happens")
        await account.sweepTimeouts(now: nowMillis() + 61_000)
        let swept = try await registry.task(id: "t1")
        #expect(swept?.status == .failure)
        #expect(await account.runningCount == 0, "the slot is free again")
    }

    @Test func anAnswerArrivingBeforeTheRequestReturnsReachesItsWaiter() async throws {
        let answer = try BotMessages.message(id: "42", content: "", nonce: "n1", buttons: ["MJ::Settings::RemixMode"], flags: 64)
        let box = AccountBox()
        let rest = HookREST { _ in
            // The bot answers while the POST is still in flight.
            if let account = await box.account { await account.handleMessage(answer) }
        }
        let (account, _) = Self.account(rest: rest)
        await box.set(account)
        let got = try await account.sendAndWait(timeout: .seconds(5), where: { $0.nonce == "n1" }) {
            try await rest.sendInteraction(
                InteractionRequest.modalSubmit(
                    interactionId: "1", modalCustomId: "m", inputCustomId: "i", value: "v", applicationId: BotMessages.bot, guildId: "g",
                    channelId: BotMessages.channel, sessionId: "s", nonce: "n1"))
        }
        #expect(got?.id == "42")
    }
}

/// Hands the account to the REST hook created before it.
actor AccountBox {
    var account: DiscordAccount?
    func set(_ a: DiscordAccount) { account = a }
}
