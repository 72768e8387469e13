import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// The seed of a finished job: `/show` in the bot DM, ✉️ on the shown job, read the seed DM
    /// (reference A.4.13). Concurrent calls for one task share one lookup; nil when it did not arrive in `timeout`.
    public func imageSeed(task: MJTask, timeout: Duration) async -> String? {
        if seedLookups[task.id] != nil {
            return await withCheckedContinuation { seedLookups[task.id]!.append($0) }
        }
        seedLookups[task.id] = []
        let seed = await lookupSeed(task: task, timeout: timeout)
        for waiter in seedLookups.removeValue(forKey: task.id) ?? [] { waiter.resume(returning: seed) }
        return seed
    }

    private func lookupSeed(task: MJTask, timeout: Duration) async -> String? {
        guard let hash = task.messageHash, let sessionId = gateway.sessionId else { return nil }
        let bot = task.botType
        let deadline = ContinuousClock.now + timeout
        do {
            let dm: String
            if let known = dmChannels[bot] {
                dm = known
            } else {
                dm = try await rest.openDM(recipientId: bot.applicationId)
                dmChannels[bot] = dm
            }
            guard let show = await command(bot, "show") else { return nil }
            let nonce = nextNonce()
            let request = InteractionRequest.command(
                show, applicationId: bot.applicationId, guildId: nil, channelId: dm, sessionId: sessionId, nonce: nonce,
                options: [["type": 3, "name": "job_id", "value": .string(hash)]])
            let shown = try await sendAndWait(timeout: deadline - .now) { m in
                m.channel_id == dm && (m.nonce == nonce || m.attachments.contains { $0.url.contains(hash) || $0.filename.contains(hash) })
            } send: {
                try await rest.sendInteraction(request)
            }
            guard let shown else { return nil }
            let seedMessage = try await sendAndWait(timeout: deadline - .now) { m in
                m.channel_id == dm && m.content.contains(hash) && m.content.contains("**seed**")
            } send: {
                try await rest.addReaction(channelId: dm, messageId: shown.id, emoji: "✉️")
            }
            guard let text = seedMessage?.content, let match = text.firstMatch(of: /\*\*seed\*\*\s*(\d+)/) else { return nil }
            return String(match.output.1)
        } catch {
            logger.info("seed lookup failed", metadata: ["task": "\(task.id)", "error": "\(error)"])
            return nil
        }
    }
}
