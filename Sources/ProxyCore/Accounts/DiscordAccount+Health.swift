import DiscordKit
import Foundation
import Logging

/// Monitoring and self-healing: token checks, disabling on account-level failures, the captcha
/// pause, fast time running out, the Terms of Service prompt and stale command versions.
extension DiscordAccount {
    /// `GET /users/@me` before the gateway opens: a token Discord refuses (401/403) disables the
    /// account. Other errors (network) let the gateway try, bounded by its failure limit.
    func checkToken() async -> Bool {
        do {
            _ = try await rest.currentUser()
            return true
        } catch let error as DiscordError {
            if case .http(let status, _, _) = error, status == 401 || status == 403 {
                await disable(reason: "invalid token (HTTP \(status) on /users/@me)", failRunning: true)
                return false
            }
            bots.lastError = "token check: \(error)"
            return true
        } catch {
            bots.lastError = "token check: \(error)"
            return true
        }
    }

    /// Whether a REST error means the token is no longer accepted.
    static func isAuthFailure(_ error: any Error) -> Bool {
        if case DiscordError.http(let status, _, _) = error { return status == 401 || status == 403 }
        return false
    }

    /// Takes the account out of service: DISABLED with `reason`, waiting tasks handed to other
    /// accounts, MODAL ones failed, sent ones failed too when `failRunning` (a dead token never
    /// hears their results), and an `account.disabled` event. Idempotent.
    func disable(reason: String, failRunning: Bool) async {
        guard disabledReason == nil || status != .disabled else { return }
        status = .disabled
        disabledReason = reason
        bots.lastError = reason
        logger.error("account disabled", metadata: ["reason": "\(reason)"])
        let failure = "Account \(config.id) disabled: \(reason)"
        await handOverWaiting(reason: failure)
        for id in Array(slots.modal) {
            slots.untrackModal(id)
            await registry.update(id) { $0.fail(failure, at: nowMillis()) }
        }
        if failRunning {
            for id in Array(slots.running.keys) {
                if !slots.isCancelled(id) { await registry.update(id) { $0.fail(failure, at: nowMillis()) } }
                release(id)
            }
        }
        emit(AccountEvent(event: "account.disabled", accountId: config.id, reason: reason))
    }

    /// Logs an operator event and sends it (off the event path) through the notifier.
    func emit(_ event: AccountEvent) {
        logger.notice("account event", metadata: ["event": "\(event.event)", "reason": "\(event.reason ?? "")"])
        guard let notifier = behaviour.notifier else { return }
        let logger = self.logger
        sideJobs.append { await notifier.deliver(event, logger: logger) }
        wake.yield()
    }

    // MARK: bot messages about the account

    /// Reads what a bot message says about the account (info, settings, confirmations, alerts)
    /// before task routing. True when the message is consumed (a ToS prompt being accepted).
    func observeAccountMessage(_ m: Message, isUpdate: Bool) async -> Bool {
        let bot = BotType(applicationId: m.author.id) ?? .midJourney
        if let info = InfoParser.parse(m) { await noteInfo(info, bot: bot) }
        if SettingsParser.isSettingsPanel(m), !m.components.isEmpty { notePanel(m, bot: bot) }
        switch SettingsParser.confirmation(m) {
        case .mode(let mode)?: bots.mode[bot] = mode
        case .remix(let on)?: remix[bot] = on
        case nil: break
        }
        guard let alert = AccountAlert.classify(m), isAddressedToUs(m) else { return false }
        switch alert {
        case .blocked(let reason):
            await disable(reason: reason, failRunning: false)
        case .creditsExhausted:
            fastTimeExhausted(source: "Credits exhausted")
        case .captcha(let message, let image):
            await pauseForVerification(message: message, challengeURL: image, failing: nil)
        case .termsOfService(let customId):
            if !isUpdate { acceptTerms(m, customId: customId, bot: bot) }
            return true
        }
        return false
    }

    /// Whether a bot message answers this account's user (several accounts may share a channel):
    /// by its interaction's user, else by a nonce of ours; messages naming nobody count as ours.
    func isAddressedToUs(_ m: Message) -> Bool {
        let own = gateway.userId ?? matcher.ownUserId
        if let user = m.interaction_metadata?.user?.id ?? m.interaction?.user?.id, let own { return user == own }
        if let nonce = m.nonce, !nonce.isEmpty { return matcher.task(nonce: nonce) != nil }
        return true
    }

    /// Presses the Terms of Service accept button; the job goes on (its messages keep the task's nonce).
    func acceptTerms(_ m: Message, customId: String, bot: BotType) {
        guard let sessionId = gateway.sessionId else { return }
        let nonce = nextNonce()
        if let taskId = matcher.task(nonce: m.nonce) { matcher.bind(nonce: nonce, to: taskId) }
        let request = InteractionRequest.button(
            customId: customId, applicationId: bot.applicationId, guildId: m.guild_id, channelId: m.channel_id, messageId: m.id,
            messageFlags: m.flags ?? 0, sessionId: sessionId, nonce: nonce)
        logger.notice("accepting the Terms of Service", metadata: ["message": "\(m.id)"])
        let rest = self.rest
        let logger = self.logger
        sideJobs.append {
            do { try await rest.sendInteraction(request) } catch { logger.warning("accepting the ToS failed", metadata: ["error": "\(error)"]) }
        }
        wake.yield()
    }

    // MARK: captcha

    /// An iframe modal that is Midjourney's captcha: never answered like the Vary (Region) editor.
    func captchaOpened(_ e: ModalEvent) async {
        let taskId = matcher.interactionAcknowledged(id: e.id, nonce: e.nonce)
        var path = e.iframe_path ?? ""
        if path.hasPrefix("/") { path.removeFirst() }
        let url = endpoints.activityURL(applicationId: e.application.id) + "/" + path
        await pauseForVerification(message: e.title ?? "Action required to continue", challengeURL: url, failing: taskId)
    }

    /// Pauses the account until a human verifies it: no new tasks, waiting ones handed over, the
    /// task that met the captcha failed, the verification hook called, `account.paused` emitted.
    func pauseForVerification(message: String, challengeURL: String?, failing taskId: String?) async {
        if let taskId {
            if !slots.isCancelled(taskId) {
                await registry.update(taskId) { $0.fail("Account paused for verification: \(message)", at: nowMillis()) }
            }
            release(taskId)
        }
        guard bots.verification == nil else { return }
        bots.verification = VerificationPause(challengeURL: challengeURL, message: message, since: nowMillis())
        bots.lastError = "verification required: \(message)"
        logger.warning("account paused for verification", metadata: ["challenge": "\(challengeURL ?? "")"])
        await handOverWaiting(reason: "Account \(config.id) paused for verification")
        emit(AccountEvent(event: "account.paused", accountId: config.id, reason: message, challengeURL: challengeURL))
        if let notifier = behaviour.notifier {
            let id = config.id
            let logger = self.logger
            sideJobs.append { await notifier.requestVerification(accountId: id, challengeURL: challengeURL, message: message, logger: logger) }
            wake.yield()
        }
    }

    /// The captcha was solved (the hook's `POST /mj/account/{id}/verified`, or an operator): the account takes tasks again.
    public func markVerified() {
        guard bots.verification != nil else { return }
        bots.verification = nil
        logger.notice("account verified, resuming")
        emit(AccountEvent(event: "account.resumed", accountId: config.id))
        wake.yield()
    }

    // MARK: fast time

    /// Fast time is gone: serve relax only, and (if configured) switch the bots to relax.
    func fastTimeExhausted(source: String) {
        let first = !bots.fastExhausted
        bots.fastExhausted = true
        if first {
            logger.warning("fast time exhausted", metadata: ["source": "\(source)"])
            emit(AccountEvent(event: "account.fastExhausted", accountId: config.id, reason: source))
        }
        guard behaviour.autoRelax else { return }
        let now = nowMillis()
        if let last = bots.lastAutoRelax, now - last < 60_000 { return }
        bots.lastAutoRelax = now
        for bot in settingsBots where bots.mode[bot] != .relax {
            sideJobs.append { await self.autoSwitch(bot, to: .relax) }
        }
        wake.yield()
    }

    /// Fast time is back (from `/info`): bots switched to relax automatically go back to fast.
    func fastTimeReturned() {
        bots.fastExhausted = false
        bots.lastAutoRelax = nil
        logger.notice("fast time available again")
        guard behaviour.autoRelax else { return }
        for bot in bots.autoRelaxed {
            sideJobs.append { await self.autoSwitch(bot, to: .fast) }
        }
        wake.yield()
    }

    /// Changes a bot's mode on the account's own initiative.
    func autoSwitch(_ bot: BotType, to mode: SpeedMode) async {
        do {
            try await changeMode(bot, to: mode)
            if mode == .relax { bots.autoRelaxed.insert(bot) } else { bots.autoRelaxed.remove(bot) }
            emit(AccountEvent(event: "account.mode", accountId: config.id, reason: "\(bot.rawValue) \(mode.rawValue)"))
        } catch {
            bots.lastError = "switching \(bot.rawValue) to \(mode.rawValue): \(error)"
            logger.warning("automatic mode switch failed", metadata: ["bot": "\(bot.rawValue)", "mode": "\(mode.rawValue)", "error": "\(error)"])
        }
    }

    // MARK: stale commands

    /// `POST /interactions`; a slash command refused with 400 (stale id/version) re-reads the
    /// command index once and is sent again with the current id and version.
    func sendRefreshingCommands(_ request: InteractionRequest) async throws {
        do {
            try await rest.sendInteraction(request)
        } catch let error as DiscordError {
            guard case .http(400, _, _) = error, request.type == 2, let name = request.data["name"]?.stringValue,
                let bot = BotType(applicationId: request.application_id)
            else { throw error }
            commandsLoaded = false
            guard let fresh = await command(bot, name),
                fresh.version != request.data["version"]?.stringValue || fresh.id != request.data["id"]?.stringValue
            else { throw error }
            logger.notice("command index refreshed after HTTP 400", metadata: ["command": "\(name)", "version": "\(fresh.version)"])
            var retry = request
            if case .object(let pairs) = request.data {
                retry.data = .object(
                    pairs.map { key, value in
                        key == "version" ? (key, .string(fresh.version)) : key == "id" ? (key, .string(fresh.id)) : (key, value)
                    })
            }
            try await rest.sendInteraction(retry)
        }
    }
}
