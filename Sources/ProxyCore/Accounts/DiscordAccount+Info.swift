import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// Reads `/info` and `/settings` of every bot the account serves (both bots: subscription, job
    /// mode, fast time, remix, version), within 30 s. Throws when no answer came at all.
    public func syncInfo() async throws {
        guard status == .connected, gateway.sessionId != nil else { throw AccountCommandError.notConnected }
        let started = ContinuousClock.now
        var answered = 0
        var lastError: (any Error)?
        for bot in settingsBots {
            guard ContinuousClock.now - started < .seconds(30) else { break }
            do {
                try await readInfo(bot)
                answered += 1
            } catch { lastError = error }
            guard ContinuousClock.now - started < .seconds(30) else { break }
            do {
                try await readSettings(bot)
                answered += 1
            } catch { lastError = error }
        }
        if answered == 0, let lastError { throw lastError }
    }

    /// Sends `/info` to `bot` and records the answer (deferred ephemeral reply edited into the embed).
    @discardableResult
    func readInfo(_ bot: BotType) async throws -> AccountInfo {
        let answer = try await slashCommand(bot, "info", timeout: .seconds(15)) { m, nonce in
            InfoParser.parse(m) != nil && (m.nonce == nonce || m.interaction_metadata?.name == "info")
        }
        guard let answer, let info = InfoParser.parse(answer) else { throw AccountCommandError.noAnswer("/info") }
        await noteInfo(info, bot: bot)
        return info
    }

    /// Records an `/info` answer: plan, mode, fast time; fast time gone or back drives the automatic relax switch.
    func noteInfo(_ info: AccountInfo, bot: BotType) async {
        bots.info[bot] = info
        bots.lastInfoAt = nowMillis()
        if let mode = info.jobMode { bots.mode[bot] = mode }
        guard bot == .midJourney || !config.botTypes.contains(.midJourney), let hours = info.fastHoursRemaining else { return }
        // Reference B.7: ≤ 0.2 h of fast time counts as exhausted.
        if hours <= 0.2 {
            fastTimeExhausted(source: "/info: \(info.fastTimeRemaining ?? "")")
        } else if bots.fastExhausted {
            fastTimeReturned()
        }
    }

    /// What runs after a new session: `/info` and `/settings` of every bot.
    func syncOnConnect() async {
        for bot in settingsBots {
            do { try await readInfo(bot) } catch { logger.info("reading /info failed", metadata: ["bot": "\(bot.rawValue)", "error": "\(error)"]) }
        }
        await syncSettings()
    }

    /// Whether the periodic `/info` is due at `now` (every `behaviour.infoInterval`, ±10 % jitter, while
    /// connected and not paused); moves the next time on when it is.
    func infoDue(now: Int64) -> Bool {
        guard let interval = behaviour.infoInterval, interval > .zero else { return false }
        let (seconds, attoseconds) = interval.components
        let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let next = { now + Int64(millis * Double.random(in: 0.9...1.1)) }
        guard let due = timers.nextInfoAt else {
            timers.nextInfoAt = next()
            return false
        }
        guard now >= due else { return false }
        timers.nextInfoAt = next()
        return status == .connected && bots.verification == nil
    }

    /// The periodic `/info` of every bot the account serves.
    func periodicInfo() async {
        for bot in settingsBots {
            do { try await readInfo(bot) } catch { logger.info("periodic /info failed", metadata: ["bot": "\(bot.rawValue)", "error": "\(error)"]) }
        }
    }

    /// The speed mode `bot` runs jobs in now (from `/info`, `/settings` or a confirmed `/fast` etc.), if known.
    public func currentMode(_ bot: BotType) -> SpeedMode? { bots.mode[bot == .insightFace ? .midJourney : bot] }

    /// Whether fast time is used up (the account then serves relax jobs only).
    public var fastExhausted: Bool { bots.fastExhausted }

    /// Whether the account waits for a human to solve a captcha.
    public var isPausedForVerification: Bool { bots.verification != nil }
}
