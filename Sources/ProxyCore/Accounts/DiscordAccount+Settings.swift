import DiscordKit
import Foundation
import Logging

/// Why an account command (sync, mode, remix, version, settings button) did not happen.
public enum AccountCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No live gateway session (or the account is disabled).
    case notConnected
    /// The bot does not have this command (e.g. `/turbo` on niji).
    case unsupported(String)
    /// The bot did not answer in time.
    case noAnswer(String)
    /// The bot answered but did not confirm the change.
    case notConfirmed(String)
    /// The settings panel has no such button or version.
    case unknownControl(String)

    public var description: String {
        switch self {
        case .notConnected: return "account not connected"
        case .unsupported(let s): return "not supported: \(s)"
        case .noAnswer(let s): return "no answer from the bot: \(s)"
        case .notConfirmed(let s): return "the bot did not confirm: \(s)"
        case .unknownControl(let s): return "no such settings control: \(s)"
        }
    }
}

extension DiscordAccount {
    /// The bots an account reads and changes settings of (InsightFaceSwap has none).
    var settingsBots: [BotType] { [.midJourney, .nijiJourney].filter { config.botTypes.contains($0) } }

    /// Reads `/settings` of every bot the account serves (remix, mode, version). Failures are logged.
    public func syncSettings() async {
        for bot in settingsBots {
            do { _ = try await readSettings(bot) } catch { logger.info("reading /settings failed", metadata: ["bot": "\(bot.rawValue)", "error": "\(error)"]) }
        }
    }

    /// Sends `/settings` to `bot` and returns its panel (recorded in `bots`).
    @discardableResult
    func readSettings(_ bot: BotType) async throws -> BotSettingsView {
        let answer = try await slashCommand(bot, "settings", timeout: .seconds(15)) { m, nonce in
            m.nonce == nonce && SettingsParser.isSettingsPanel(m) && !m.components.isEmpty
        }
        guard let answer else { throw AccountCommandError.noAnswer("/settings") }
        return notePanel(answer, bot: bot)
    }

    /// Records a settings panel: where to press, and the mode, remix and version it shows.
    @discardableResult
    func notePanel(_ m: Message, bot: BotType) -> BotSettingsView {
        let view = SettingsParser.parse(m.components)
        bots.settingsPanel[bot] = SettingsPanel(messageId: m.id, channelId: m.channel_id, flags: m.flags ?? 64, components: m.components)
        if let mode = view.mode { bots.mode[bot] = mode }
        if let on = view.remix { remix[bot] = on }
        if let version = view.version { bots.version[bot] = version }
        return view
    }

    /// Sends `/fast`, `/relax` or `/turbo` to `bot`; returns when the bot answered `Done!` (the mode is then recorded).
    public func changeMode(_ bot: BotType, to mode: SpeedMode) async throws {
        let name = mode == .relax ? "relax" : mode == .turbo ? "turbo" : "fast"
        guard bot != .insightFace else { throw AccountCommandError.unsupported("\(bot.rawValue) has no modes") }
        if await command(bot, name) == nil {
            // Niji has no /turbo command: its settings panel may have the button.
            if let panel = bots.settingsPanel[bot], let id = SettingsParser.modeButton(mode, in: panel.components) {
                try await pressSettingsButton(bot, customId: id)
                return
            }
            throw AccountCommandError.unsupported("/\(name) on \(bot.rawValue)")
        }
        let answer = try await slashCommand(bot, name, timeout: .seconds(15)) { m, nonce in
            m.nonce == nonce && SettingsParser.confirmation(m) != nil
        }
        guard let answer else { throw AccountCommandError.noAnswer("/\(name)") }
        guard case .mode(let confirmed) = SettingsParser.confirmation(answer), confirmed == mode else {
            throw AccountCommandError.notConfirmed("/\(name): \(answer.content.prefix(120))")
        }
        bots.mode[bot] = confirmed
        logger.info("speed mode changed", metadata: ["bot": "\(bot.rawValue)", "mode": "\(mode.rawValue)"])
    }

    /// Turns remix on or off for `bot` through its `/settings` panel (pressed only if different).
    public func changeRemix(_ bot: BotType, on: Bool) async throws {
        let view = try await readSettings(bot)
        if view.remix == on { return }
        guard view.remix != nil else { throw AccountCommandError.unknownControl(SettingsParser.remixToggle) }
        let after = try await pressSettingsButton(bot, customId: SettingsParser.remixToggle)
        guard after.remix == on else { throw AccountCommandError.notConfirmed("remix \(on ? "on" : "off")") }
    }

    /// Chooses a model version in `bot`'s `/settings` version select (e.g. "6.1", "7", "niji 6").
    public func changeVersion(_ bot: BotType, to version: String) async throws {
        let view = try await readSettings(bot)
        if view.version == version { return }
        guard view.versions.isEmpty || view.versions.contains(version) else {
            throw AccountCommandError.unknownControl("version \(version) (offered: \(view.versions.joined(separator: ", ")))")
        }
        let after = try await pressPanel(bot, data: [
            "component_type": 3, "custom_id": .string(SettingsParser.versionSelector), "type": 3, "values": [.string(version)],
        ])
        guard after.version == version else { throw AccountCommandError.notConfirmed("version \(version)") }
    }

    /// Presses a button of `bot`'s `/settings` panel (read first if none is known) and returns the
    /// panel as the bot updated it.
    @discardableResult
    public func pressSettingsButton(_ bot: BotType, customId: String) async throws -> BotSettingsView {
        if bots.settingsPanel[bot] == nil { try await readSettings(bot) }
        guard let panel = bots.settingsPanel[bot],
            SettingsParser.allComponents(panel.components).contains(where: { $0.custom_id == customId })
        else { throw AccountCommandError.unknownControl(customId) }
        return try await pressPanel(bot, data: ["component_type": 2, "custom_id": .string(customId)])
    }

    /// Sends a component interaction on the panel and waits for the bot's edit of it. A panel the
    /// bot no longer knows (404) is read again once.
    private func pressPanel(_ bot: BotType, data: JSONValue) async throws -> BotSettingsView {
        for attempt in 0..<2 {
            guard let sessionId = gateway.sessionId, status == .connected else { throw AccountCommandError.notConnected }
            if bots.settingsPanel[bot] == nil || attempt > 0 { try await readSettings(bot) }
            guard let panel = bots.settingsPanel[bot] else { throw AccountCommandError.noAnswer("/settings") }
            let request = InteractionRequest(
                type: 3, application_id: bot.applicationId, guild_id: config.guildId, channel_id: panel.channelId, message_id: panel.messageId,
                message_flags: panel.flags, session_id: sessionId, nonce: nextNonce(), data: data)
            let panelId = panel.messageId
            do {
                let answer = try await sendAndWait(timeout: .seconds(15), where: { $0.id == panelId && !$0.components.isEmpty }) {
                    try await rest.sendInteraction(request)
                }
                guard let answer else { throw AccountCommandError.noAnswer("settings panel update") }
                return notePanel(answer, bot: bot)
            } catch DiscordError.http(let status, _, _) where status == 404 && attempt == 0 {
                bots.settingsPanel[bot] = nil
                continue
            }
        }
        throw AccountCommandError.noAnswer("settings panel")
    }

    /// Sends slash command `name` (no options) to `bot` and waits for the answer `predicate(message, nonce)` accepts.
    func slashCommand(
        _ bot: BotType, _ name: String, timeout: Duration, where predicate: @escaping @Sendable (Message, String) -> Bool
    ) async throws -> Message? {
        guard let sessionId = gateway.sessionId, status == .connected else { throw AccountCommandError.notConnected }
        guard let cmd = await command(bot, name) else { throw AccountCommandError.unsupported("/\(name) on \(bot.rawValue)") }
        let nonce = nextNonce()
        let request = InteractionRequest.command(
            cmd, applicationId: bot.applicationId, guildId: config.guildId, channelId: config.channelId, sessionId: sessionId, nonce: nonce,
            options: [])
        return try await sendAndWait(timeout: timeout, where: { predicate($0, nonce) }) {
            try await sendRefreshingCommands(request)
        }
    }
}
