import DiscordKit
import Foundation
import Logging
import NIOPosix

/// The simulated Midjourney / niji・journey bot: answers commands and buttons with the message
/// sequences of the reference (start message with the nonce, progress edits with previews, delete
/// + final message with a real PNG and the real button set).
actor MidjourneyBot {
    let world: SandboxWorld
    let configuration: SandboxConfiguration
    let logger: Logger
    private var jobs: [String: BotJob] = [:]
    private var jobOrder: [String] = []
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var userModes: [String: String] = [:]

    init(world: SandboxWorld, configuration: SandboxConfiguration, logger: Logger) {
        self.world = world
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: helpers

    private func pause(_ seconds: Double) async {
        let ms = Int(seconds * configuration.speedFactor * 1000)
        if ms > 0 { try? await Task.sleep(for: .milliseconds(ms)) }
    }

    private func botUser(_ applicationId: String) -> DiscordUser {
        SandboxReady.bots().first { $0.id == applicationId } ?? SandboxReady.bots()[0]
    }

    private func targets(_ i: BotInteraction) async -> [String] {
        if let s = i.sessionId { return [s] }
        return await world.sessions(ofUser: i.user.id)
    }

    private func sendInteractionEvent(_ name: String, _ i: BotInteraction, reason: Int? = nil) async {
        for s in await targets(i) {
            await world.send(name, InteractionEvent(id: i.id, nonce: i.nonce, reason_code: reason), to: s)
        }
    }

    private func remember(_ job: BotJob) {
        jobs[job.hash] = job
        jobOrder.append(job.hash)
        if jobOrder.count > 300 { jobs[jobOrder.removeFirst()] = nil }
    }

    private func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date()).replacingOccurrences(of: "Z", with: "000+00:00")
    }

    /// Waits for one of the user's concurrent-job slots. Nil when the queue is full; true when it had to queue.
    private func acquireSlot(userId: String) async -> Bool? {
        if running[userId, default: 0] < configuration.concurrentJobs {
            running[userId, default: 0] += 1
            return false
        }
        if waiting[userId, default: []].count >= configuration.queuedJobs { return nil }
        await withCheckedContinuation { waiting[userId, default: []].append($0) }
        return true
    }

    private func releaseSlot(userId: String) {
        if var list = waiting[userId], !list.isEmpty {
            let next = list.removeFirst()
            waiting[userId] = list
            next.resume()  // the slot passes on; `running` is unchanged
        } else {
            running[userId, default: 1] -= 1
        }
    }

    private func interactionFields(_ i: BotInteraction, name: String) -> (MessageInteraction, InteractionMetadata) {
        let user = DiscordUser(id: i.user.id, username: i.user.username, discriminator: "0", global_name: i.user.username.capitalized)
        let type = i.type == 2 ? 2 : 3
        let owners = ["0": i.guildId ?? i.user.id]
        return (
            MessageInteraction(id: i.id, type: type, name: name, user: user),
            InteractionMetadata(
                id: i.id, type: type, name: i.type == 2 ? name : nil, command_type: i.type == 2 ? 1 : nil, user: user,
                authorizing_integration_owners: owners, original_response_message_id: nil,
                interacted_message_id: i.message?.id)
        )
    }

    /// The interaction-response message skeleton (start messages, error embeds).
    private func responseMessage(_ i: BotInteraction, name: String, content: String, embeds: [Embed] = [], flags: Int = 0) async -> Message {
        let (interaction, metadata) = interactionFields(i, name: name)
        return Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: content, timestamp: timestamp(), type: 0, flags: flags, nonce: i.nonce,
            webhook_id: i.applicationId, application_id: i.applicationId, mentions: [i.user.discordUser], embeds: embeds,
            interaction: interaction, interaction_metadata: metadata)
    }

    private func sendError(_ i: BotInteraction, name: String, title: String, description: String, footer: String?, color: Int = 16_711_680,
        components: [Component] = []) async
    {
        var msg = await responseMessage(i, name: name, content: "", embeds: [MJText.embed(title: title, description: description, color: color, footer: footer)])
        msg.type = 0
        msg.components = components
        await world.create(msg)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
    }

    private func fileName(user: SandboxUser, prompt: String, hash: String) -> String {
        let words = prompt.replacingOccurrences(of: #"<?https?://\S+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"--\S+(\s+[^-\s]\S*)?"#, with: "", options: .regularExpression)
        var slug = ""
        for ch in words.unicodeScalars {
            if ch.isASCII && (CharacterSet.alphanumerics.contains(ch)) { slug.unicodeScalars.append(ch) } else if !slug.hasSuffix("_") { slug += "_" }
        }
        slug = String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "_")).prefix(60))
        return "\(user.username)_\(slug)_\(hash).png"
    }

    /// Mode from prompt flags, else the user's current mode.
    private func mode(for prompt: String, userId: String) -> String {
        if prompt.contains("--relax") { return "relaxed" }
        if prompt.contains("--turbo") { return "turbo" }
        if prompt.contains("--fast") { return "fast" }
        return userModes[userId] ?? "fast"
    }

    /// Tile dimensions for `--ar W:H` with the longest side = tileSize.
    private func tileDimensions(prompt: String) -> (Int, Int) {
        let size = max(16, configuration.tileSize)
        guard let r = prompt.range(of: #"--(ar|aspect)\s+(\d+):(\d+)"#, options: .regularExpression) else { return (size, size) }
        let parts = prompt[r].split(whereSeparator: { $0 == " " || $0 == ":" })
        guard parts.count >= 3, let w = Double(parts[1]), let h = Double(parts[2]), w > 0, h > 0 else { return (size, size) }
        let scale = Double(size) / max(w, h)
        return (max(8, Int(w * scale) / 2 * 2), max(8, Int(h * scale) / 2 * 2))
    }

    private func render(_ work: @escaping @Sendable () -> [RGBImage]) async -> [RGBImage] {
        (try? await NIOThreadPool.singleton.runIfActive { work() }) ?? work()
    }

    private func encodePNG(_ image: RGBImage) async -> [UInt8] {
        (try? await NIOThreadPool.singleton.runIfActive { PNGCodec.encode(image) }) ?? PNGCodec.encode(image)
    }

    // MARK: entry

    /// Handles one interaction (runs as a child task of the sandbox service).
    func handle(_ i: BotInteraction) async {
        // Real Discord answers the POST before any INTERACTION_* event; user libraries (discord.py-self)
        // drop an INTERACTION_SUCCESS that overtakes the 204. A fixed latency keeps that order even at
        // speed factor 0.
        try? await Task.sleep(for: .milliseconds(250))
        if await world.takeFault(userId: i.user.id, among: [.interactionTimeout]) != nil {
            await sendInteractionEvent("INTERACTION_CREATE", i)
            await pause(3)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 2)
            return
        }
        await sendInteractionEvent("INTERACTION_CREATE", i)
        if await world.takeFault(userId: i.user.id, among: [.noAnswer]) != nil { return }
        switch i.type {
        case 2 where i.commandName == "imagine":
            await imagine(i)
        case 3:
            await button(i)
        default:
            // Commands the simulation does not model yet get Discord's generic failure.
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }

    // MARK: /imagine

    private func imagine(_ i: BotInteraction) async {
        let prompt = (i.options["prompt"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let footer = "/imagine \(prompt)"
        if await checkFaultsAndPrompt(i, prompt: prompt, footer: footer, name: "imagine") { return }
        let seed = stableSeed(prompt)
        let (w, h) = tileDimensions(prompt: prompt)
        await runGridJob(
            i, name: "imagine", prompt: prompt,
            startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "", finalType: 0, reference: nil
        ) {
            (1...4).map { ImageSynth.artwork(seed: seed &+ UInt64($0) &* 0x9E37_79B9_7F4A_7C15, width: w, height: h) }
        }
    }

    /// Applies armed faults and the bot-side prompt checks; true when an error was sent.
    private func checkFaultsAndPrompt(_ i: BotInteraction, prompt: String, footer: String, name: String) async -> Bool {
        let fault = await world.takeFault(
            userId: i.user.id, among: [.bannedPrompt, .invalidParameter, .queueFull, .actionNeeded, .creditsExhausted])
        let lowered = prompt.lowercased()
        let words = Set(lowered.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        if fault == .bannedPrompt || !words.isDisjoint(with: MJText.bannedWords) {
            await sendError(
                i, name: name, title: "Banned prompt detected",
                description: "Sorry! Our AI moderator thinks this prompt is probably against our community standards.\n\nPlease review our current community standards:\n\n**ALLOWED**\n- Any image up to PG-13 rating involving fiction, fantasy, mythology.\n- Real images that may be seen as respectful or light-hearted parodies, satire, caricatures\n- Imaginary or exaggerated real-life scenarios, including absurd or humorous situations.\n\n**NOT ALLOWED**\n- Disrespectful, harmful, misleading public figures/events portrayals or potential to mislead.\n- Hate speech, explicit or real-world violence.\n- Nudity or unconsented overtly sexualized public figures.\n- Imagery that might be considered culturally insensitive\n\nThis AI system isn't perfect. If you find it rejecting something innocent please press the **Notify developers** button and we will review it and try to further improve our performance. Thank you for your help!",
                footer: footer)
            return true
        }
        let params = prompt.matches(of: /(?:^|\s)--([A-Za-z][A-Za-z0-9_]*)/).map { String($0.output.1).lowercased() }
        if fault == .invalidParameter || params.contains(where: { !MJText.knownParameters.contains($0) }) {
            let bad = params.first(where: { !MJText.knownParameters.contains($0) }) ?? "foo"
            await sendError(i, name: name, title: "Invalid parameter", description: "Unrecognized parameter(s): `--\(bad)`", footer: footer)
            return true
        }
        switch fault {
        case .queueFull:
            await sendError(
                i, name: name, title: "Queue full",
                description: "Your job queue is full. Please wait for a job to finish first, then resubmit this one.", footer: footer)
            return true
        case .actionNeeded:
            await sendError(
                i, name: name, title: "Action needed to continue",
                description: "Sorry! Our AI moderators feel your prompt might be against our community standards.\n\n        If you think this is a mistake, please press the \"Appeal\" button below and we will send it to a more sophisticated AI to double-check the result.",
                footer: footer, components: [.row([.button(customId: "MJ::Appeal::\(UUID().uuidString.lowercased())", label: "Appeal", style: 1)])])
            return true
        case .creditsExhausted:
            await sendError(
                i, name: name, title: "Credits exhausted", description: "You have no more fast hours left. Switch to /relax or buy more time.",
                footer: footer)
            return true
        default:
            return false
        }
    }

    // MARK: jobs

    /// Runs a grid-producing job: start message, progress edits with previews, delete, final grid.
    private func runGridJob(
        _ i: BotInteraction, name: String, prompt: String, startContent: String, label: String, finalType: Int,
        reference: Message?, tiles makeTiles: @escaping @Sendable () -> [RGBImage]
    ) async {
        let mode = mode(for: prompt, userId: i.user.id)
        var start = await responseMessage(i, name: name, content: startContent)
        start.type = 0
        if configuration.successBeforeMessage { await sendInteractionEvent("INTERACTION_SUCCESS", i) }
        await world.create(start)
        if !configuration.successBeforeMessage { await sendInteractionEvent("INTERACTION_SUCCESS", i) }
        guard let queued = await acquireSlot(userId: i.user.id) else {
            await world.delete(messageId: start.id, channelId: i.channelId)
            await sendError(
                i, name: name, title: "Queue full",
                description: "Your job queue is full. Please wait for a job to finish first, then resubmit this one.", footer: "/\(name) \(prompt)")
            return
        }
        if queued {
            logger.debug("sandbox job waited for a slot", metadata: ["user": "\(i.user.id)"])
        }
        defer { releaseSlot(userId: i.user.id) }
        let hash = UUID().uuidString.lowercased()
        let tiles = await render(makeTiles)
        let grid = ImageSynth.grid(tiles)
        let previewWidth = min(512, grid.width)
        let preview = PNGCodec.encode(
            ImageSynth.resized(grid, width: previewWidth, height: max(1, grid.height * previewWidth / max(1, grid.width))), level: 1)
        var progressMessage = start
        for percent in [0, 15, 31, 46, 62, 78, 93] {
            await pause(percent == 0 ? 2 : 3)
            progressMessage.content = MJText.content(prompt: prompt, userId: i.user.id, label: label, progress: "(\(percent)%)", mode: mode)
            progressMessage.edited_timestamp = timestamp()
            if percent > 0 {
                progressMessage.attachments = [
                    await world.storeAttachment(
                        channelId: i.channelId, filename: "\(hash)_grid_0.png", bytes: preview, contentType: "image/png",
                        width: previewWidth, height: grid.height * previewWidth / max(1, grid.width), ephemeral: true)
                ]
            }
            await world.update(progressMessage)
        }
        let png = await encodePNG(grid)
        await pause(2)
        await world.delete(messageId: start.id, channelId: i.channelId)
        let attachment = await world.storeAttachment(
            channelId: i.channelId, filename: fileName(user: i.user, prompt: prompt, hash: hash), bytes: png,
            contentType: "image/png", width: grid.width, height: grid.height)
        var final = Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: MJText.content(prompt: prompt, userId: i.user.id, label: label, mode: mode), timestamp: timestamp(),
            type: finalType, flags: 0, mentions: [i.user.discordUser], attachments: [attachment],
            components: MJText.gridButtons(hash: hash))
        if let reference {
            final.message_reference = MessageReference(message_id: reference.id, channel_id: reference.channel_id, guild_id: reference.guild_id)
            final.referenced_message = ReferencedMessage(reference)
        }
        await world.create(final)
        remember(
            BotJob(
                hash: hash, prompt: prompt, botId: i.applicationId, userId: i.user.id, channelId: i.channelId, messageId: final.id,
                tiles: tiles, isGrid: true, mode: mode))
    }

    // MARK: buttons

    private func button(_ i: BotInteraction) async {
        guard let customId = i.customId, let source = i.message else {
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
            return
        }
        let parts = customId.components(separatedBy: "::")
        guard parts.count >= 5, parts[0] == "MJ", parts[1] == "JOB", let job = jobs[parts[4]] else {
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
            return
        }
        let index = Int(parts[3]) ?? 1
        let promptText = job.prompt
        switch parts[2] {
        case "upsample" where job.isGrid && (1...4).contains(index):
            await upscalePick(i, job: job, index: index, source: source)
        case "variation" where job.isGrid && (1...4).contains(index):
            let tile = job.tiles[index - 1]
            let seed = stableSeed(promptText + "#v\(index)#" + i.id)
            await runGridJob(
                i, name: "variation", prompt: promptText,
                startContent: "Making variations for image #\(index) with prompt **\(promptText)** - <@\(i.user.id)> (Waiting to start)",
                label: "Variations (Strong) by ", finalType: 19, reference: source
            ) {
                (1...4).map { ImageSynth.variation(of: tile, seed: seed &+ UInt64($0), strength: 0.6) }
            }
        case "low_variation", "high_variation":
            let strong = parts[2] == "high_variation"
            let base = job.tiles[0]
            let seed = stableSeed(promptText + "#\(parts[2])#" + i.id)
            await runGridJob(
                i, name: "variation", prompt: promptText,
                startContent: "Making variations for image #1 with prompt **\(promptText)** - <@\(i.user.id)> (Waiting to start)",
                label: strong ? "Variations (Strong) by " : "Variations (Subtle) by ", finalType: 19, reference: source
            ) {
                (1...4).map { ImageSynth.variation(of: base, seed: seed &+ UInt64($0), strength: strong ? 0.6 : 0.25) }
            }
        case "reroll":
            let seed = stableSeed(promptText + "#reroll#" + i.id)
            let (w, h) = (job.tiles[0].width, job.tiles[0].height)
            await runGridJob(
                i, name: "reroll", prompt: promptText,
                startContent: MJText.content(prompt: promptText, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
                label: "", finalType: 0, reference: nil
            ) {
                (1...4).map { ImageSynth.artwork(seed: seed &+ UInt64($0) &* 0x9E37_79B9_7F4A_7C15, width: w, height: h) }
            }
        default:
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }

    /// U1–U4: one REPLY with the quadrant at full size and the upscale buttons; the pressed U turns primary.
    private func upscalePick(_ i: BotInteraction, job: BotJob, index: Int, source: Message) async {
        await pause(1)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        let tile = job.tiles[index - 1]
        let hash = UUID().uuidString.lowercased()
        let png = await encodePNG(tile)
        await pause(2)
        let attachment = await world.storeAttachment(
            channelId: i.channelId, filename: fileName(user: i.user, prompt: job.prompt, hash: hash), bytes: png, contentType: "image/png",
            width: tile.width, height: tile.height)
        var reply = Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: "**\(job.prompt)** - Image #\(index) <@\(i.user.id)>", timestamp: timestamp(), type: 19, flags: 0,
            mentions: [i.user.discordUser], attachments: [attachment],
            components: MJText.upscaleButtons(hash: hash, index: index, square: tile.width == tile.height),
            message_reference: MessageReference(message_id: source.id, channel_id: source.channel_id, guild_id: source.guild_id),
            referenced_message: source)
        reply.message_reference?.type = 0
        await world.create(reply)
        var pressed = source
        pressed.components = pressed.components.map { row in
            var row = row
            row.components = row.components?.map { c in
                var c = c
                if c.custom_id == i.customId { c.style = 1 }
                return c
            }
            return row
        }
        await world.update(pressed)
        remember(
            BotJob(
                hash: hash, prompt: job.prompt, botId: i.applicationId, userId: i.user.id, channelId: i.channelId, messageId: reply.id,
                tiles: [tile], isGrid: false, mode: job.mode))
    }
}
