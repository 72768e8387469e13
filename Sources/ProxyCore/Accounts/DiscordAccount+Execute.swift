import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// Sends a task's command to Discord in the channel chosen for it (an action's parent channel,
    /// else the least busy of the account's channels), paced by `minSubmitInterval`. The slot stays
    /// held until the bot finishes it.
    func execute(_ taskId: String) async {
        guard let task = try? await registry.task(id: taskId), task.status == .notStart else {
            uncountStarted(taskId)
            release(taskId)
            return
        }
        guard let sessionId = gateway.sessionId else {
            // Lost the session between dispatch and now: put it back at the front.
            uncountStarted(taskId)
            slots.putBack(taskId)
            return
        }
        var facts = TaskFacts(task)
        facts.startTime = slots.slotTaken(taskId) ?? facts.startTime
        matcher.track(facts)
        var sent = false
        do {
            let nonce = nextNonce()
            let instance = config.id
            let channel = chooseChannel(for: task)
            noteChannel(channel, for: taskId)
            matcher.setChannel(channel, for: taskId)
            let request = try await interaction(for: task, nonce: nonce, sessionId: sessionId, channelId: channel)
            try await paceSubmit()
            // Uploads, 429 waits and pacing may have outlasted the timeout sweep or a cancel: then send nothing.
            guard slots.isRunning(taskId), !slots.isCancelled(taskId) else {
                uncountStarted(taskId)
                release(taskId)
                return
            }
            // Several instances: the account's lease must still be this instance's (a paused process whose
            // lease expired meanwhile sends nothing; the task stays for the new holder).
            if let mayRun = behaviour.mayRun, await !mayRun(instance) {
                uncountStarted(taskId)
                matcher.forget(taskId)
                slots.putBack(taskId)
                return
            }
            // The nonce is stored right before the POST (after uploads and pacing): a task with a nonce
            // may have been sent and is never sent again after a crash, so that window is kept short.
            // Account and channel go with it (one write): recovery needs them only for a task that was sent.
            let stamped = await registry.update(taskId) {
                $0.setProperty("discordInstanceId", string: instance)
                $0.setProperty("discordChannelId", string: channel)
                $0.setProperty("nonce", string: nonce)
                $0.lastActivity = nowMillis()
            }
            // Gone from this registry (finished meanwhile, or its account moved to another instance): never send.
            guard stamped?.status == .notStart else {
                uncountStarted(taskId)
                release(taskId)
                return
            }
            // Bound before sending: the bot's first message may arrive before the POST returns.
            matcher.bind(nonce: nonce, to: taskId)
            sent = true
            try await sendRefreshingCommands(request)
            await registry.update(taskId) {
                if $0.status == .notStart {
                    $0.status = .submitted
                    $0.startTime = max(nowMillis(), $0.submitTime)
                }
                $0.lastActivity = nowMillis()
            }
        } catch let failure as TaskFailure {
            if !sent { uncountStarted(taskId) }
            await registry.update(taskId) { $0.fail(failure.reason, at: nowMillis()) }
            release(taskId)
        } catch where Self.isAuthFailure(error) {
            // The token died: the task was refused, not run; it moves with the queue to another account.
            uncountStarted(taskId)
            matcher.forget(taskId)
            slots.putBack(taskId)
            await disable(reason: "invalid token (\(error))", failRunning: true)
        } catch {
            if !sent { uncountStarted(taskId) }
            logger.warning("submitting to discord failed", metadata: ["task": "\(taskId)", "error": "\(error)"])
            let reason = Texts.text("F2", locale, ["msg": "\(error)"])
            await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
            release(taskId)
        }
    }

    /// A failure with a ready failReason.
    struct TaskFailure: Error { var reason: String }

    /// The `POST /interactions` body that starts `task`.
    func interaction(for task: MJTask, nonce: String, sessionId: String, channelId: String) async throws -> InteractionRequest {
        let app = task.botType.applicationId
        func slash(_ name: String, _ options: [JSONValue], _ attachments: [UploadedAttachmentRef] = []) async throws -> InteractionRequest {
            guard let cmd = await command(task.botType, name) else { throw DiscordError.protocolViolation("\(name) command unknown") }
            return InteractionRequest.command(
                cmd, applicationId: app, guildId: config.guildId, channelId: channelId, sessionId: sessionId, nonce: nonce,
                options: options, attachments: attachments)
        }
        if let customId = task.customId {
            guard let messageId = task.parentMessageId else { throw DiscordError.protocolViolation("action without parent message") }
            return InteractionRequest.button(
                customId: customId, applicationId: app, guildId: config.guildId, channelId: channelId, messageId: messageId,
                messageFlags: task.parentMessageFlags ?? 0, sessionId: sessionId, nonce: nonce)
        }
        switch task.action {
        case .imagine:
            let prompt = try await promptWithReferences(task, channelId: channelId)
            return try await slash("imagine", [["type": 3, "name": "prompt", "value": .string(prompt)]])
        case .shorten:
            return try await slash("shorten", [["type": 3, "name": "prompt", "value": .string(task.promptEn ?? "")]])
        case .blend:
            let refs = try await upload(task.pendingImages, channelId: channelId)
            var options: [JSONValue] = refs.enumerated().map { i, _ in ["type": 11, "name": .string("image\(i + 1)"), "value": .int(Int64(i))] }
            options.append(["type": 3, "name": "dimensions", "value": .string(task.input("dimensions") ?? "--ar 1:1")])
            await clearPendingImages(task.id)
            return try await slash("blend", options, refs)
        case .describe:
            var images = task.pendingImages
            if images.isEmpty, let link = task.input("link") { images = [try await download(link, field: "link", name: "\(task.id).png")] }
            let refs = try await upload(images, channelId: channelId)
            await clearPendingImages(task.id)
            return try await slash("describe", [["type": 11, "name": "image", "value": 0]], refs)
        case .swapFace:
            return try await swapInteraction(task, nonce: nonce, sessionId: sessionId, channelId: channelId)
        default:
            throw DiscordError.protocolViolation("nothing to send for \(task.action.rawValue)")
        }
    }

    /// Uploads reference images (3-step flow) and returns the prompt with their URLs in front.
    func promptWithReferences(_ task: MJTask, channelId: String) async throws -> String {
        let prompt = task.promptEn ?? task.prompt ?? ""
        guard !task.pendingImages.isEmpty else { return prompt }
        let urls = try await hostImages(task.pendingImages, channelId: channelId)
        let full = (urls + [prompt]).joined(separator: " ")
        await registry.update(task.id) {
            $0.promptEn = full
            $0.pendingImages = []
        }
        return full
    }

    func clearPendingImages(_ taskId: String) async {
        await registry.update(taskId) { $0.pendingImages = [] }
    }

    /// Step 1+2 of the attachment flow in `channelId` (default the main channel; F3 on failure).
    func upload(_ images: [PendingImage], channelId: String? = nil) async throws -> [UploadedAttachmentRef] {
        do {
            return try await rest.uploadFiles(
                channelId: channelId ?? config.channelId, files: images.map { (filename: $0.filename, contentType: $0.contentType, bytes: $0.bytes) })
        } catch {
            logger.warning("image upload failed", metadata: ["error": "\(error)"])
            throw TaskFailure(reason: Texts.text("F3", locale))
        }
    }

    /// Uploads images and posts them to the channel; returns their CDN URLs (for prompts and upload-discord-images).
    public func hostImages(_ images: [PendingImage], channelId: String? = nil) async throws -> [String] {
        let channel = channelId ?? config.channelId
        let refs = try await upload(images, channelId: channel)
        do {
            let message = try await rest.createMessage(channelId: channel, content: "upload image", attachments: refs)
            return message.attachments.map(\.url)
        } catch {
            throw TaskFailure(reason: Texts.text("F3", locale))
        }
    }

    /// Downloads an image link given to the proxy under the outbound policy (F7 with a generic
    /// detail on failure: no difference between a refused address, a closed port or a timeout).
    func download(_ url: String, field: String, name: String) async throws -> PendingImage {
        do {
            let (bytes, kind) = try await outbound.getImage(url: url, maxBytes: 16 << 20)
            let stem = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
            return PendingImage(filename: "\(stem).\(kind.rawValue)", contentType: kind.mimeType, bytes: bytes)
        } catch {
            throw TaskFailure(reason: Texts.text("F7", locale, ["field": field, "detail": OutboundError.genericDescription]))
        }
    }

    /// InsightFaceSwap: `/saveid` with the source face, wait for its answer, then `/swapid` on the target.
    func swapInteraction(_ task: MJTask, nonce: String, sessionId: String, channelId: String) async throws -> InteractionRequest {
        var images = task.pendingImages
        if images.count < 2 {
            let source = try await download(task.input("sourceUrl") ?? "", field: "sourceUrl", name: "\(task.id)-source.png")
            let target = try await download(task.input("targetUrl") ?? "", field: "targetUrl", name: "\(task.id)-target.png")
            images = images.isEmpty ? [source, target] : task.input("sourceUrl") != nil ? [source, images[0]] : [images[0], target]
        }
        let idname = "mj\(task.id.suffix(8))"
        let app = BotType.insightFace.applicationId
        guard let save = await command(.insightFace, "saveid"), let swap = await command(.insightFace, "swapid") else {
            throw DiscordError.protocolViolation("InsightFaceSwap commands unknown")
        }
        let saveNonce = nextNonce()
        let sourceRef = try await upload([images[0]], channelId: channelId)
        let saveRequest = InteractionRequest.command(
            save, applicationId: app, guildId: config.guildId, channelId: channelId, sessionId: sessionId, nonce: saveNonce,
            options: [["type": 3, "name": "idname", "value": .string(idname)], ["type": 11, "name": "image", "value": 0]], attachments: sourceRef)
        let answer = try await sendAndWait(timeout: .seconds(60), where: { $0.nonce == saveNonce }) {
            try await rest.sendInteraction(saveRequest)
        }
        guard let saved = answer else {
            throw TaskFailure(reason: Texts.text("F1", locale))
        }
        if case .error(let title, let description) = MJMessageParser.classify(saved) { throw TaskFailure(reason: "[\(title)] \(description)") }
        let targetRef = try await upload([images[1]], channelId: channelId)
        await clearPendingImages(task.id)
        return .command(
            swap, applicationId: app, guildId: config.guildId, channelId: channelId, sessionId: sessionId, nonce: nonce,
            options: [["type": 3, "name": "idname", "value": .string(idname)], ["type": 11, "name": "image", "value": 0]], attachments: targetRef)
    }

    /// Answers a modal the bot opened for one of our tasks: remix / zoom / pick prompts as a type-5
    /// submit, Vary (Region) through the activity's submit-job with the mask.
    func answerModal(taskId: String, event: ModalEvent) async {
        guard let task = try? await registry.task(id: taskId), !task.status.isFinished, let sessionId = gateway.sessionId else { return }
        let prompt = task.promptEn ?? task.finalPrompt ?? task.prompt ?? ""
        do {
            if event.custom_id.hasPrefix("MJ::iframe::") {
                let token = String(event.custom_id.dropFirst("MJ::iframe::".count))
                let mask = task.pendingImages.first?.base64 ?? ""
                let url = endpoints.activityURL(applicationId: event.application.id) + "/inpaint/api/submit-job"
                try await rest.postActivity(url: url, body: ["customId": .string(token), "mask": .string(mask), "prompt": .string(prompt), "userId": "0", "username": "0"])
                await registry.update(taskId) {
                    $0.pendingImages = []
                    $0.lastActivity = nowMillis()
                }
                return
            }
            if event.custom_id.hasPrefix("MJ::RemixModal::") || event.custom_id.hasPrefix("MJ::PanModal::")
                || (event.custom_id.hasPrefix("MJ::ImagineModal::") && task.action == .reroll)
            {
                remix[task.botType] = true  // a remix modal means remix is on for this bot
            }
            let input = (event.components ?? []).flatMap { $0.components ?? [$0] }.first { $0.type == 4 }
            let nonce = nextNonce()
            matcher.bind(nonce: nonce, to: taskId)
            let request = InteractionRequest.modalSubmit(
                interactionId: event.id, modalCustomId: event.custom_id, inputCustomId: input?.custom_id ?? "", value: prompt,
                applicationId: event.application.id, guildId: config.guildId, channelId: event.channel_id, sessionId: sessionId, nonce: nonce)
            try await rest.sendInteraction(request)
            await registry.update(taskId) { $0.lastActivity = nowMillis() }
        } catch {
            logger.warning("answering a modal failed", metadata: ["task": "\(taskId)", "error": "\(error)"])
            let reason = Texts.text("F2", locale, ["msg": "\(error)"])
            await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
            release(taskId)
        }
    }
}
