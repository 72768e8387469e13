import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// Handles one event in a child task that ends with it. A long-lived task keeps the largest async
    /// stack it ever needed (task allocator slabs are freed only when the task ends): handling events
    /// directly in the gateway's task would keep that peak per account for the account's lifetime.
    nonisolated func handleInChildTask(_ event: GatewayEvent) async {
        async let handled: Void = handle(event)
        await handled
    }

    func handle(_ event: GatewayEvent) async {
        switch event {
        case .ready(let ready):
            matcher.ownUserId = ready.user.id
        case .messageCreate(let m):
            await handleMessage(m, isUpdate: false)
            noteHandled(m)
        case .messageUpdate(let m):
            await handleMessage(m, isUpdate: true)
        case .interactionCreate(let e), .interactionSuccess(let e):
            if let taskId = matcher.interactionAcknowledged(id: e.id, nonce: e.nonce) {
                await registry.update(taskId) { $0.lastActivity = nowMillis() }
            }
        case .interactionFailure(let e):
            guard let taskId = matcher.task(interactionId: e.id, nonce: e.nonce) else { return }
            let code = e.reason_code ?? 0
            let reason = code == 2 ? "Interaction failed: the bot did not answer in time (reason 2)" : "Interaction failed (reason \(code))"
            if !slots.isCancelled(taskId) { await registry.update(taskId) { $0.fail(reason, at: nowMillis()) } }
            release(taskId)
        case .iframeModalCreate(let e) where AccountAlert.isCaptcha(e):
            await captchaOpened(e)
        case .modalCreate(let e), .iframeModalCreate(let e):
            guard let taskId = matcher.interactionAcknowledged(id: e.id, nonce: e.nonce) else { return }
            pendingModals.append((taskId, e))
            wake.yield()
        default:
            break
        }
    }

    func isOwnChannel(_ channelId: String) -> Bool {
        config.channels.contains(channelId) || dmChannels.values.contains(channelId)
    }

    /// A bot message (MESSAGE_CREATE, or MESSAGE_UPDATE when `isUpdate`): waiters first, then the
    /// task `TaskMatcher` routes it to.
    func handleMessage(_ m: Message, isUpdate: Bool = false) async {
        guard BotType(applicationId: m.author.id) != nil, isOwnChannel(m.channel_id) else { return }
        if await observeAccountMessage(m, isUpdate: isUpdate) { return }
        if offerToWaiters(m) { return }
        let event = MJMessageParser.classify(m)
        if matcher.ownUserId == nil, let user = gateway.userId { matcher.ownUserId = user }
        guard let taskId = matcher.route(m, event: event, isUpdate: isUpdate) else { return }
        let now = nowMillis()
        if slots.isCancelled(taskId) {
            // A cancelled task's job: results are discarded; its end frees the slot.
            switch event {
            case .finished, .error, .failedText, .describeResult, .shortenResult: release(taskId)
            default: break
            }
            return
        }
        switch event {
        case .deferred:
            await registry.update(taskId) {
                $0.setProperty("progressMessageId", string: m.id)
                if $0.status == .notStart || $0.status == .submitted { $0.status = .inProgress }
                $0.lastActivity = now
            }
        case .started(let c):
            await registry.update(taskId) {
                $0.setProperty("progressMessageId", string: m.id)
                $0.setProperty("finalPrompt", string: c.prompt)
                if $0.status == .notStart || $0.status == .submitted {
                    $0.status = .inProgress
                    $0.startTime = $0.startTime ?? max(now, $0.submitTime)
                }
                $0.lastActivity = now
            }
        case .progress(let c, let preview):
            let url = preview.map(endpoints.rewriteCDN)
            await registry.update(taskId) {
                $0.status = .inProgress
                $0.startTime = $0.startTime ?? max(now, $0.submitTime)
                $0.advance(percent: c.percent ?? 0)
                if let url { $0.imageUrl = url }
                if let mode = c.mode { $0.mode = mode }
                if $0.finalPrompt == nil { $0.setProperty("finalPrompt", string: c.prompt) }
                if $0.property("progressMessageId") == nil { $0.setProperty("progressMessageId", string: m.id) }
                $0.lastActivity = now
            }
        case .finished(let c):
            await finish(taskId, message: m, finalPrompt: c.prompt, mode: c.mode, imageURL: m.attachments.first?.url)
        case .describeResult(let text, let image):
            await finish(taskId, message: m, finalPrompt: text, mode: nil, imageURL: image) {
                $0.prompt = text
                $0.promptEn = text
            }
        case .shortenResult(let text):
            await finish(taskId, message: m, finalPrompt: text, mode: nil, imageURL: nil)
        case .error(let title, let description):
            if title.lowercased().hasPrefix("action needed"), behaviour.autoAppeal,
                let appeal = m.buttons.first(where: { $0.label == "Appeal" || ($0.custom_id ?? "").hasPrefix("MJ::Appeal") }),
                let customId = appeal.custom_id, let sessionId = gateway.sessionId
            {
                // Plus "auto appeal": press the bot's Appeal button; the job goes on if the appeal succeeds.
                let nonce = nextNonce()
                matcher.bind(nonce: nonce, to: taskId)
                if let task = try? await registry.task(id: taskId) {
                    let request = InteractionRequest.button(
                        customId: customId, applicationId: task.botType.applicationId, guildId: m.guild_id, channelId: m.channel_id,
                        messageId: m.id, messageFlags: m.flags ?? 0, sessionId: sessionId, nonce: nonce)
                    if (try? await rest.sendInteraction(request)) != nil {
                        await registry.update(taskId) {
                            $0.setProperty("appealed", .bool(true))
                            $0.lastActivity = now
                        }
                        return
                    }
                }
            }
            await registry.update(taskId) { $0.fail("[\(title)] \(description)", at: now) }
            release(taskId)
        case .failedText(let text):
            await registry.update(taskId) { $0.fail(text, at: now) }
            release(taskId)
        case .notice:
            await registry.update(taskId) { $0.lastActivity = now }
        case .ignored:
            // Face swap answers are plain messages carrying the result image.
            if let task = await registry.liveTask(id: taskId), task.action == .swapFace, let image = m.attachments.first?.url {
                await finish(taskId, message: m, finalPrompt: nil, mode: nil, imageURL: image)
            }
        }
    }

    /// Ends a task as SUCCESS with the result message's image, hash and buttons.
    func finish(
        _ taskId: String, message m: Message, finalPrompt: String?, mode: SpeedMode?, imageURL: String?,
        extra: @escaping @Sendable (inout MJTask) -> Void = { _ in }
    ) async {
        let now = nowMillis()
        let url = imageURL.map(endpoints.rewriteCDN)
        let hash = MJMessageParser.jobHash(of: m)
        let buttons = TaskButton.from(message: m)
        await registry.update(taskId) {
            $0.imageUrl = url ?? $0.imageUrl
            $0.buttons = buttons
            if let mode { $0.mode = mode }
            if let finalPrompt { $0.setProperty("finalPrompt", string: finalPrompt) }
            $0.setProperty("messageId", string: m.id)
            if let hash, $0.action != .describe, $0.action != .shorten { $0.setProperty("messageHash", string: hash) }
            $0.setProperty("messageContent", string: m.content)
            $0.setProperty("flags", .int(Int64(m.flags ?? 0)))
            if let ref = m.message_reference?.message_id { $0.setProperty("referencedMessageId", string: ref) }
            $0.startTime = $0.startTime ?? max(now, $0.submitTime)
            $0.lastActivity = now
            extra(&$0)
            $0.succeed(at: now)
        }
        matcher.retire(messageId: m.id)
        release(taskId)
    }
}
