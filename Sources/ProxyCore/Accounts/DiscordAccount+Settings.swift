import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// Reads `/settings` of both bots: remix (the "Remix mode" toggle, style 3 = on).
    public func syncSettings() async {
        guard let sessionId = gateway.sessionId else { return }
        for bot in [BotType.midJourney, .nijiJourney] {
            guard let cmd = await command(bot, "settings") else { continue }
            let nonce = nextNonce()
            let request = InteractionRequest.command(
                cmd, applicationId: bot.applicationId, guildId: config.guildId, channelId: config.channelId, sessionId: sessionId, nonce: nonce,
                options: [])
            let reply: Message?
            do {
                reply = try await sendAndWait(timeout: .seconds(15), where: { $0.nonce == nonce && !$0.components.isEmpty }) {
                    try await rest.sendInteraction(request)
                }
            } catch {
                logger.info("reading /settings failed", metadata: ["bot": "\(bot.rawValue)", "error": "\(error)"])
                continue
            }
            guard let answer = reply else {
                logger.info("no /settings answer", metadata: ["bot": "\(bot.rawValue)"])
                continue
            }
            let buttons = answer.buttons
            if let toggle = buttons.first(where: { $0.custom_id == "MJ::Settings::RemixMode" || $0.label == "Remix mode" }) {
                remix[bot] = toggle.style == 3
            }
        }
    }
}
