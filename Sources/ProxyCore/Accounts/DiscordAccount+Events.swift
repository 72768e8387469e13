import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    func handle(_ event: GatewayEvent) async {
        switch event {
        case .messageCreate(let m), .messageUpdate(let m):
            await handleMessage(m)
        case .interactionCreate(let e), .interactionSuccess(let e):
            if let nonce = e.nonce, let taskId = nonceToTask[nonce] {
                interactionToTask[e.id] = taskId
                await registry.update(taskId) { $0.lastActivity = nowMillis() }
            }
        case .interactionFailure(let e):
            guard let taskId = e.nonce.flatMap({ nonceToTask[$0] }) ?? interactionToTask[e.id] else { return }
            let code = e.reason_code ?? 0
            let reason = code == 2 ? "Interaction failed: the bot did not answer in time (reason 2)" : "Interaction failed (reason \(code))"
            await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
            release(taskId)
        case .modalCreate(let e), .iframeModalCreate(let e):
            guard let nonce = e.nonce, let taskId = nonceToTask[nonce] else { return }
            interactionToTask[e.id] = taskId
            pendingModals.append((taskId, e))
            wake.yield()
        default:
            break
        }
    }

    /// Which running task a bot message belongs to: nonce → interaction → progress message → job hash → content.
    func matchTask(_ m: Message, event: MJEvent) async -> String? {
        if let nonce = m.nonce, let id = nonceToTask[nonce] { return id }
        if let iid = m.interaction_metadata?.id ?? m.interaction?.id, let id = interactionToTask[iid] { return id }
        if let id = messageToTask[m.id] { return id }
        if case .finished = event, let hash = MJMessageParser.jobHash(of: m), let id = hashToTask[hash] { return id }
        let content: MJContent
        switch event {
        case .started(let c), .progress(let c, _), .finished(let c): content = c
        default: return nil
        }
        let wanted = MJMessageParser.normalize(content.prompt)
        let reference = m.message_reference?.message_id
        var best: (score: Int, start: Int64, id: String)?
        for id in running {
            guard let task = try? await registry.task(id: id), task.status != .notStart, task.botType.applicationId == m.author.id else { continue }
            guard Self.labelFits(content, task: task) else { continue }
            let known = MJMessageParser.normalize(task.finalPrompt ?? task.promptEn ?? task.prompt ?? "")
            var score = 0
            if known == wanted {
                score += 2
            } else if !wanted.isEmpty && !known.isEmpty && (known.hasPrefix(wanted) || wanted.hasPrefix(known)) {
                score += 1
            }
            if let reference, reference == task.parentMessageId { score += 2 }
            guard score > 0 else { continue }
            let start = task.startTime ?? task.submitTime
            if best == nil || score > best!.score || (score == best!.score && start < best!.start) { best = (score, start, id) }
        }
        return best?.id
    }

    /// Whether the action words of a job line fit the task's action.
    static func labelFits(_ c: MJContent, task: MJTask) -> Bool {
        let label = c.label.lowercased()
        // Start lines ("… (Waiting to start)") carry no action words for most actions.
        if c.waiting && label.isEmpty { return true }
        switch task.action {
        case .upscale:
            if let index = c.imageIndex, label.hasPrefix("image #") { return task.customId?.contains("::upsample::\(index)::") ?? false }
            return label.contains("upscal")
        case .variation, .lowVariation, .highVariation: return label.contains("variation") || label.contains("remix") || c.imageIndex != nil
        case .inpaint: return label.contains("variations (region)") || label.contains("remix")
        case .pan: return label.hasPrefix("pan") || label.contains("remix")
        case .zoom, .customZoom: return label.hasPrefix("zoom") || label.contains("remix")
        case .imagine, .reroll, .blend: return label.isEmpty
        default: return true
        }
    }

    func isOwnChannel(_ channelId: String) -> Bool {
        channelId == config.channelId || dmChannels.values.contains(channelId)
    }

    func handleMessage(_ m: Message) async {
        guard BotType(applicationId: m.author.id) != nil, isOwnChannel(m.channel_id) else { return }
        if offerToWaiters(m) { return }
        let event = MJMessageParser.classify(m)
        guard let taskId = await matchTask(m, event: event) else { return }
        let now = nowMillis()
        if cancelledRunning.contains(taskId) {
            // A cancelled task's job: results are discarded; its end frees the slot.
            switch event {
            case .finished, .error, .failedText, .describeResult, .shortenResult: release(taskId)
            default: break
            }
            return
        }
        switch event {
        case .deferred:
            messageToTask[m.id] = taskId
            await registry.update(taskId) {
                $0.setProperty("progressMessageId", string: m.id)
                if $0.status == .notStart || $0.status == .submitted { $0.status = .inProgress }
                $0.lastActivity = now
            }
        case .started(let c):
            messageToTask[m.id] = taskId
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
            messageToTask[m.id] = taskId
            if let preview, let hash = MJMessageParser.jobHash(fromURL: preview) { hashToTask[hash] = taskId }
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
                nonceToTask[nonce] = taskId
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
            if let task = try? await registry.task(id: taskId), task.action == .swapFace, let image = m.attachments.first?.url {
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
        release(taskId)
    }
}
