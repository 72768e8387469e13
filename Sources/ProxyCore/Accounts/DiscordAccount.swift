import DiscordKit
import Foundation
import Logging

/// Result of putting a task on an account's queue.
public enum EnqueueResult: Sendable, Equatable {
    /// Accepted; `waitingAhead` tasks were waiting (not running) before it.
    case accepted(waitingAhead: Int)
    case queueFull
}

/// One Discord user account: its gateway session, its queue and running slots, and the matching
/// of the bots' messages to its tasks. Flow: `enqueue` → dispatcher starts `execute` when a slot is
/// free → REST interaction → gateway events → `MJMessageParser` → `TaskRegistry.update`.
public actor DiscordAccount {
    public nonisolated let config: AccountConfig
    let endpoints: DiscordEndpoints
    let gateway: GatewayClient
    let rest: any DiscordRESTClient
    let registry: TaskRegistry
    let locale: TextLocale
    let logger: Logger

    public private(set) var status: AccountStatus
    public private(set) var disabledReason: String?
    private var queue: [String] = []
    private var reserved = 0
    private var running: Set<String> = []
    private var nonceToTask: [String: String] = [:]
    private var interactionToTask: [String: String] = [:]
    private var messageToTask: [String: String] = [:]
    /// Job hash of a running task's progress previews (the final image carries the same hash).
    private var hashToTask: [String: String] = [:]
    private var commands: [BotType: [String: ApplicationCommand]] = CommandTable.fallback
    private var commandsLoaded = false
    private var nonceCounter: Int64 = 0
    private let wake: AsyncStream<Void>.Continuation
    private let wakeStream: AsyncStream<Void>
    /// Interval of the timeout sweep.
    let sweepInterval: Duration

    /// Creates an account; it connects when `run` is called.
    public init(
        config: AccountConfig, endpoints: DiscordEndpoints, rest: any DiscordRESTClient, registry: TaskRegistry, locale: TextLocale = .en,
        logger: Logger, sweepInterval: Duration = .seconds(1)
    ) {
        self.config = config
        self.endpoints = endpoints
        self.rest = rest
        self.registry = registry
        self.locale = locale
        var logger = logger
        logger[metadataKey: "account"] = "\(config.id)"
        self.logger = logger
        self.sweepInterval = sweepInterval
        self.gateway = GatewayClient(
            configuration: GatewayConfiguration(url: endpoints.gatewayURL, token: config.userToken, userAgent: config.userAgent), logger: logger)
        self.status = config.enabled ? .connecting : .disabled
        (wakeStream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: state for the pool

    /// Tasks waiting for a slot.
    public var waitingCount: Int { queue.count }
    /// Tasks holding a slot.
    public var runningCount: Int { running.count }
    /// True when the account can take new tasks.
    public var isAvailable: Bool { status == .connected }

    /// Puts a task on the queue (honouring `queueSize`). `create` stores the task first; it runs
    /// only when there is room, so a refused submission leaves no task behind.
    public func enqueue(_ taskId: String, create: @Sendable () async throws -> Void) async throws -> EnqueueResult {
        let waiting = queue.count + reserved
        if running.count + waiting >= config.coreSize && waiting >= config.queueSize { return .queueFull }
        reserved += 1
        defer { reserved -= 1 }
        try await create()
        let ahead = queue.count
        queue.append(taskId)
        wake.yield()
        return .accepted(waitingAhead: ahead)
    }

    /// Re-queues a recovered `NOT_START` task (no capacity check: it was accepted before).
    public func requeue(_ taskId: String) {
        queue.append(taskId)
        wake.yield()
    }

    /// Takes over a task that was running before a restart (its bot messages may still come).
    public func adopt(_ task: MJTask) {
        running.insert(task.id)
        if let nonce = task.nonce { nonceToTask[nonce] = task.id }
        if let pm = task.property("progressMessageId") { messageToTask[pm] = task.id }
    }

    // MARK: run

    /// Connects and serves until cancelled: gateway, dispatcher and timeout sweep.
    public func run() async {
        guard config.enabled else { return }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.gateway.run(
                    onEvent: { event in await self.handle(event) },
                    onStatus: { status in await self.gatewayStatus(status) })
            }
            group.addTask { await self.sweepLoop() }
            for await _ in wakeStream {
                while let taskId = nextRunnable() {
                    group.addTask { await self.execute(taskId) }
                }
            }
            group.cancelAll()
        }
    }

    private func nextRunnable() -> String? {
        guard status == .connected, running.count < config.coreSize, !queue.isEmpty else { return nil }
        let id = queue.removeFirst()
        running.insert(id)
        return id
    }

    private func gatewayStatus(_ s: GatewayStatus) async {
        switch s {
        case .connecting: if status != .disabled { status = .connecting }
        case .connected:
            status = .connected
            logger.info("account connected")
            wake.yield()
        case .disconnected: if status != .disabled { status = .disconnected }
        case .fatal(let code, let reason):
            status = .disabled
            disabledReason = reason
            logger.error("account disabled by gateway", metadata: ["code": "\(code)", "reason": "\(reason)"])
            await failQueued(Texts.text("F6", locale, ["id": config.id]))
        }
    }

    /// Fails every waiting task (the account can no longer run them).
    private func failQueued(_ reason: String) async {
        let waiting = queue
        queue.removeAll()
        for id in waiting { await registry.update(id) { $0.fail(reason, at: nowMillis()) } }
    }

    private func sweepLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: sweepInterval) } catch { return }
            await sweepTimeouts()
        }
    }

    /// Fails running tasks without Discord activity for `timeoutMinutes`, and queued ones older than 50 minutes.
    func sweepTimeouts() async {
        let now = nowMillis()
        let limit = Int64(config.timeoutMinutes * 60_000)
        for id in running {
            guard let task = try? await registry.task(id: id) else { continue }
            if task.status.isFinished {
                release(id)
                continue
            }
            let since = task.lastActivity ?? task.startTime ?? task.submitTime
            if task.status != .notStart, now - since > limit {
                let reason = Texts.text("F1", locale)
                await registry.update(id) { $0.fail(reason, at: now) }
                release(id)
            }
        }
        for id in queue {
            guard let task = try? await registry.task(id: id), now - task.submitTime > 50 * 60_000 else { continue }
            queue.removeAll { $0 == id }
            let reason = Texts.text("F1", locale)
            await registry.update(id) { $0.fail(reason, at: now) }
        }
    }

    private func release(_ taskId: String) {
        guard running.remove(taskId) != nil else { return }
        nonceToTask = nonceToTask.filter { $0.value != taskId }
        interactionToTask = interactionToTask.filter { $0.value != taskId }
        messageToTask = messageToTask.filter { $0.value != taskId }
        hashToTask = hashToTask.filter { $0.value != taskId }
        wake.yield()
    }

    // MARK: execute

    private func nextNonce() -> String {
        nonceCounter += 1
        return Snowflake.make(milliseconds: nowMillis(), increment: nonceCounter)
    }

    private func command(_ bot: BotType, _ name: String) async -> ApplicationCommand? {
        if !commandsLoaded {
            commandsLoaded = true
            do {
                let index = try await rest.applicationCommandIndex(guildId: config.guildId)
                for cmd in index.application_commands {
                    guard let app = cmd.application_id, let bot = BotType(applicationId: app) else { continue }
                    commands[bot, default: [:]][cmd.name] = cmd
                }
            } catch {
                logger.warning("application-command index unavailable; using known versions", metadata: ["error": "\(error)"])
            }
        }
        return commands[bot]?[name]
    }

    /// Sends a task's command to Discord. The slot stays held until the bot finishes it.
    private func execute(_ taskId: String) async {
        guard var task = try? await registry.task(id: taskId), task.status == .notStart else {
            release(taskId)
            return
        }
        guard let sessionId = gateway.sessionId else {
            // Lost the session between dispatch and now: put it back at the front.
            running.remove(taskId)
            queue.insert(taskId, at: 0)
            return
        }
        do {
            if !task.pendingImages.isEmpty {
                let urls: [String]
                do {
                    urls = try await uploadImages(task.pendingImages)
                } catch {
                    logger.warning("image upload failed", metadata: ["task": "\(taskId)", "error": "\(error)"])
                    let reason = Texts.text("F3", locale)
                    await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
                    release(taskId)
                    return
                }
                let prompt = task.promptEn ?? task.prompt ?? ""
                task.promptEn = (urls + [prompt]).joined(separator: " ")
                let newPrompt = task.promptEn
                await registry.update(taskId) {
                    $0.promptEn = newPrompt
                    $0.pendingImages = []
                }
            }
            let nonce = nextNonce()
            let request: InteractionRequest
            switch task.action {
            case .imagine:
                guard let cmd = await command(task.botType, "imagine") else { throw DiscordError.protocolViolation("imagine command unknown") }
                request = InteractionRequest.command(
                    cmd, applicationId: task.botType.applicationId, guildId: config.guildId, channelId: config.channelId, sessionId: sessionId,
                    nonce: nonce, options: [["type": 3, "name": "prompt", "value": .string(task.promptEn ?? "")]])
            default:
                guard let customId = task.customId, let messageId = task.parentMessageId else {
                    throw DiscordError.protocolViolation("action without parent message")
                }
                request = InteractionRequest.button(
                    customId: customId, applicationId: task.botType.applicationId, guildId: config.guildId, channelId: config.channelId,
                    messageId: messageId, messageFlags: task.parentMessageFlags ?? 0, sessionId: sessionId, nonce: nonce)
            }
            nonceToTask[nonce] = taskId
            let instance = config.id
            let channel = config.channelId
            await registry.update(taskId) {
                $0.setProperty("nonce", string: nonce)
                $0.setProperty("discordInstanceId", string: instance)
                $0.setProperty("discordChannelId", string: channel)
                $0.lastActivity = nowMillis()
            }
            try await rest.sendInteraction(request)
            await registry.update(taskId) {
                if $0.status == .notStart {
                    $0.status = .submitted
                    $0.startTime = max(nowMillis(), $0.submitTime)
                }
                $0.lastActivity = nowMillis()
            }
        } catch {
            logger.warning("submitting to discord failed", metadata: ["task": "\(taskId)", "error": "\(error)"])
            let reason = Texts.text("F2", locale, ["msg": "\(error)"])
            await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
            release(taskId)
        }
    }

    /// Uploads reference images by the 3-step flow and posts them to the channel; returns their CDN URLs.
    private func uploadImages(_ images: [PendingImage]) async throws -> [String] {
        let refs = try await rest.uploadFiles(
            channelId: config.channelId, files: images.map { (filename: $0.filename, contentType: $0.contentType, bytes: $0.bytes) })
        let message = try await rest.createMessage(channelId: config.channelId, content: "upload image", attachments: refs)
        return message.attachments.map(\.url)
    }

    // MARK: events

    private func handle(_ event: GatewayEvent) async {
        switch event {
        case .messageCreate(let m), .messageUpdate(let m):
            await handleMessage(m)
        case .interactionCreate(let e), .interactionSuccess(let e):
            if let nonce = e.nonce, let taskId = nonceToTask[nonce] {
                interactionToTask[e.id] = taskId
                await registry.update(taskId) { $0.lastActivity = nowMillis() }
            }
        case .interactionFailure(let e):
            let taskId = e.nonce.flatMap { nonceToTask[$0] } ?? interactionToTask[e.id]
            if let taskId {
                let code = e.reason_code ?? 0
                let reason = code == 2 ? "Interaction failed: the bot did not answer in time (reason 2)" : "Interaction failed (reason \(code))"
                await registry.update(taskId) { $0.fail(reason, at: nowMillis()) }
                release(taskId)
            }
        default:
            break
        }
    }

    /// Which running task a bot message belongs to: nonce → interaction → progress message → content.
    private func matchTask(_ m: Message, event: MJEvent) async -> String? {
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
            guard let task = try? await registry.task(id: id), !task.status.isFinished, task.status != .notStart,
                task.botType.applicationId == m.author.id
            else { continue }
            guard Self.labelFits(content, task: task) else { continue }
            let known = MJMessageParser.normalize(task.finalPrompt ?? task.promptEn ?? task.prompt ?? "")
            var score = 0
            if known == wanted { score += 2 } else if !wanted.isEmpty && (known.hasPrefix(wanted) || wanted.hasPrefix(known)) { score += 1 }
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
        switch task.action {
        case .upscale:
            if let index = c.imageIndex, label.hasPrefix("image #") {
                return task.customId?.contains("::upsample::\(index)::") ?? false
            }
            return label.contains("upscal")
        case .variation, .lowVariation, .highVariation: return label.contains("variation") || label.contains("remix") || c.imageIndex != nil
        case .inpaint: return label.contains("variations (region)") || label.contains("remix")
        case .pan: return label.hasPrefix("pan") || label.contains("remix")
        case .zoom, .customZoom: return label.hasPrefix("zoom") || label.contains("remix")
        case .imagine, .reroll, .blend: return label.isEmpty
        default: return true
        }
    }

    private func handleMessage(_ m: Message) async {
        guard BotType(applicationId: m.author.id) != nil else { return }
        guard m.channel_id == config.channelId || m.channel_id == config.mjBotChannelId || m.channel_id == config.nijiBotChannelId else { return }
        let event = MJMessageParser.classify(m)
        if case .ignored = event { return }
        guard let taskId = await matchTask(m, event: event) else { return }
        let now = nowMillis()
        switch event {
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
            let url = m.attachments.first.map { endpoints.rewriteCDN($0.url) }
            let hash = MJMessageParser.jobHash(of: m)
            let buttons = TaskButton.from(message: m)
            await registry.update(taskId) {
                $0.imageUrl = url ?? $0.imageUrl
                $0.buttons = buttons
                if let mode = c.mode { $0.mode = mode }
                $0.setProperty("finalPrompt", string: c.prompt)
                $0.setProperty("messageId", string: m.id)
                $0.setProperty("messageHash", string: hash)
                $0.setProperty("messageContent", string: m.content)
                $0.setProperty("flags", .int(Int64(m.flags ?? 0)))
                if let ref = m.message_reference?.message_id { $0.setProperty("referencedMessageId", string: ref) }
                $0.startTime = $0.startTime ?? max(now, $0.submitTime)
                $0.lastActivity = now
                $0.succeed(at: now)
            }
            release(taskId)
        case .error(let title, let description):
            await registry.update(taskId) { $0.fail("[\(title)] \(description)", at: now) }
            release(taskId)
        case .failedText(let text):
            await registry.update(taskId) { $0.fail(text, at: now) }
            release(taskId)
        case .notice:
            await registry.update(taskId) { $0.lastActivity = now }
        case .ignored:
            break
        }
    }
}
