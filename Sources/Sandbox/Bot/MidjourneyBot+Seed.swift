import DiscordKit
import Foundation

extension MidjourneyBot {
    /// ✉️ on a job message (in the channel or in the DM after /show): the bot DMs the job's seed
    /// with the job image (reference B.3.15).
    func reacted(user: SandboxUser, message: Message, emoji: String) async {
        guard emoji == "✉️" || emoji == "✉", SandboxReady.bots().contains(where: { $0.id == message.author.id }) else { return }
        guard let hash = showMessages[message.id] ?? message.attachments.first.flatMap({ jobHash(inFilename: $0.filename) }), let job = jobs[hash]
        else { return }
        await pause(1)
        let dm = await world.dmChannel(userId: user.id, botId: message.author.id)
        let seed = stableSeed("seed#" + hash) % 4_294_967_295
        let dmMessage = Message(
            id: await world.snowflake(), channel_id: dm, guild_id: nil, author: botUser(message.author.id),
            content: "**\(job.prompt)**\n**Job ID**: \(hash)\n**seed** \(seed)", timestamp: timestamp(), type: 0, flags: 0,
            attachments: message.attachments)
        await world.create(dmMessage)
    }

    /// The job uuid in a result file name (`user_words_<uuid>.png`).
    func jobHash(inFilename name: String) -> String? {
        name.firstMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/).map { String($0.output) }
    }
}
