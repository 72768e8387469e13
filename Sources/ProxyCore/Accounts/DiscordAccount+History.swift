import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// Pages read per channel in one catch-up (100 messages each).
    static let catchUpPageLimit = 20

    /// Records a bot message of an own channel as handled, so a later catch-up starts after it. Kept in
    /// memory and written by `flushCursors` (every sweep tick): one store write per channel and second
    /// instead of one per message. The task changes the message caused were written before, so a stored
    /// cursor is never ahead of the tasks; after a crash it may lag by a second (those few messages are
    /// read again, and the results of finished tasks among them are retired).
    func noteHandled(_ m: Message) {
        guard BotType(applicationId: m.author.id) != nil, isOwnChannel(m.channel_id) else { return }
        if let known = pendingCursors[m.channel_id], Snowflake.compare(known, m.id) >= 0 { return }
        pendingCursors[m.channel_id] = m.id
    }

    /// Writes the cursors noted since the last flush.
    func flushCursors() async {
        guard !pendingCursors.isEmpty else { return }
        let cursors = pendingCursors
        pendingCursors = [:]
        for (channel, message) in cursors { await registry.advanceCursor(channelId: channel, messageId: message) }
    }

    /// After a new session (READY, or a RESUME that failed): reads each own channel's history since
    /// the last handled bot message, so results that arrived while the proxy was away or
    /// disconnected reach their tasks. Messages older than the oldest running task cannot be its
    /// result and are skipped. Runs off the gateway's read loop.
    func catchUp() async {
        let running = slots.running.keys
        guard !running.isEmpty else { return }
        var oldestSubmit = Int64.max
        for id in running {
            if let task = try? await registry.task(id: id) { oldestSubmit = min(oldestSubmit, task.submitTime) }
        }
        guard oldestSubmit != .max else { return }
        // A snowflake just before the oldest running task was submitted.
        let floor = Snowflake.make(milliseconds: max(Snowflake.epoch, oldestSubmit - 1000), increment: 0)
        // Results of tasks that finished before the restart are in that history too: they must not
        // be taken by a running task with the same prompt.
        for task in (try? await registry.list(limit: 1000, before: nil)) ?? []
        where task.status.isFinished && task.accountId == config.id && task.submitTime >= oldestSubmit - 60_000 {
            if let id = task.messageId { matcher.retire(messageId: id) }
        }
        var channels = config.channels
        channels += dmChannels.values.filter { !channels.contains($0) }
        var seen = 0
        for channel in channels {
            var after = floor
            if let cursor = await registry.cursor(channelId: channel), Snowflake.compare(cursor, after) > 0 { after = cursor }
            for _ in 0..<Self.catchUpPageLimit {
                let page: [Message]
                do {
                    page = try await rest.channelMessages(channelId: channel, after: after, limit: 100)
                } catch {
                    logger.warning("channel history unavailable", metadata: ["channel": "\(channel)", "error": "\(error)"])
                    break
                }
                for m in page where BotType(applicationId: m.author.id) != nil {
                    seen += 1
                    await handleMessage(m)
                    noteHandled(m)
                }
                guard page.count == 100, let last = page.last?.id else { break }
                after = last
            }
        }
        if seen > 0 { logger.info("channel history read after reconnect", metadata: ["botMessages": "\(seen)"]) }
    }
}
