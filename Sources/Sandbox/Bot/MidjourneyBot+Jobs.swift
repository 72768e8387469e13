import DiscordKit
import Foundation

extension MidjourneyBot {
    /// Applies armed faults and the bot-side prompt checks; true when an error was sent.
    func checkFaultsAndPrompt(_ i: BotInteraction, prompt: String, footer: String, name: String) async -> Bool {
        let fault = await world.takeFault(
            userId: i.user.id,
            among: [.bannedPrompt, .invalidParameter, .queueFull, .actionNeeded, .creditsExhausted, .pendingMod, .blocked, .tosPrompt, .captcha, .imageCaptcha])
        let lowered = prompt.lowercased()
        let words = Set(lowered.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        if fault == .bannedPrompt || !words.isDisjoint(with: MJText.bannedWords) {
            await sendError(i, name: name, title: "Banned prompt detected", description: MJText.bannedDescription, footer: footer)
            return true
        }
        let params = PromptParameters.names(in: prompt)
        if fault == .invalidParameter || params.contains(where: { !MJText.knownParameters.contains($0) }) {
            let bad = params.first(where: { !MJText.knownParameters.contains($0) }) ?? "foo"
            await sendError(i, name: name, title: "Invalid parameter", description: "Unrecognized parameter(s): `--\(bad)`", footer: footer)
            return true
        }
        switch fault {
        case .queueFull:
            await sendError(i, name: name, title: "Queue full", description: MJText.queueFullDescription, footer: footer)
            return true
        case .actionNeeded:
            // Appealing (the button) lets the job run (reference unknown 13: the sandbox's choice).
            let appealId = "MJ::Appeal::\(UUID().uuidString.lowercased())"
            await sendError(
                i, name: name, title: "Action needed to continue", description: MJText.appealDescription, footer: footer,
                components: [.row([.button(customId: appealId, label: "Appeal", style: 1)])])
            pendingAppeals[appealId] = (i, prompt)
            return true
        case .creditsExhausted:
            await sendError(i, name: name, title: "Credits exhausted", description: MJText.creditsExhaustedDescription, footer: footer)
            return true
        case .pendingMod:
            await sendError(
                i, name: name, title: "Pending mod message", description: MJText.pendingModDescription, footer: footer,
                components: [.row([.button(customId: "MJ::Mod::Acknowledge::\(UUID().uuidString.lowercased())", label: "Acknowledge", style: 1)])])
            return true
        case .blocked:
            await sendError(i, name: name, title: "Blocked", description: "You have been blocked from accessing Midjourney.", footer: footer)
            return true
        case .tosPrompt:
            let acceptId = "MJ::Tos::Accept::\(UUID().uuidString.lowercased())"
            await sendError(
                i, name: name, title: "Tos not accepted", description: "Please accept the Terms of Service to continue using Midjourney.",
                footer: footer, color: 16_776_960, components: [.row([.button(customId: acceptId, label: "Accept ToS", style: 3)])])
            pendingAppeals[acceptId] = (i, prompt)
            return true
        case .captcha:
            await openCaptcha(i)
            return true
        case .imageCaptcha:
            await sendError(
                i, name: name, title: "Action needed to continue", description: "Please verify you're human to continue using Midjourney.",
                footer: footer,
                components: [.row((1...3).map { Component.button(customId: "MJ::Captcha::\($0)::\(i.id)", label: "Option \($0)", style: 2) })])
            return true
        default:
            break
        }
        // Fast time: a limited user's fast and turbo jobs use it up.
        let jobMode = mode(for: prompt, userId: i.user.id, botId: i.applicationId)
        if jobMode != "relaxed", await !world.consumeFastJob(userId: i.user.id) {
            await sendError(i, name: name, title: "Credits exhausted", description: MJText.creditsExhaustedDescription, footer: footer)
            return true
        }
        return false
    }

    /// Opens Midjourney's iframe captcha (reference B.7) on the requesting session: no job runs.
    func openCaptcha(_ i: BotInteraction) async {
        let hash = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let event = ModalEvent(
            id: i.id, nonce: i.nonce, channel_id: i.channelId, custom_id: "MJ::iframe::\(hash)", title: "Action required to continue",
            application: .init(id: i.applicationId, name: botUser(i.applicationId).username, icon: botUser(i.applicationId).avatar),
            components: nil, iframe_path: "captcha/challenge/index.html?hash=\(hash)", modal_size: 2)
        for s in await targets(i) { await world.send("INTERACTION_IFRAME_MODAL_CREATE", event, to: s) }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
    }

    /// Runs a job: start message (unless `startContent` is nil), progress edits with previews, delete,
    /// final message (`finalType` 0, or 19 replying to `reference`) with the image and its buttons.
    func runJob(
        _ i: BotInteraction, name: String, prompt: String, startContent: String?, label: String, progressLabel: String? = nil,
        finalType: Int, reference: Message?, output makeOutput: @escaping @Sendable () -> JobOutput
    ) async {
        let mode = mode(for: prompt, userId: i.user.id, botId: i.applicationId)
        var start = await responseMessage(i, name: name, content: startContent ?? "")
        if configuration.successBeforeMessage { await sendInteractionEvent("INTERACTION_SUCCESS", i) }
        if startContent != nil { await world.create(start) }
        if !configuration.successBeforeMessage { await sendInteractionEvent("INTERACTION_SUCCESS", i) }
        guard await acquireSlot(userId: i.user.id) != nil else {
            if startContent != nil { await world.delete(messageId: start.id, channelId: i.channelId) }
            await sendError(i, name: name, title: "Queue full", description: MJText.queueFullDescription, footer: "/\(name) \(prompt)")
            return
        }
        defer { releaseSlot(userId: i.user.id) }
        let hash = UUID().uuidString.lowercased()
        let output = await compute(makeOutput)
        let shown: RGBImage
        switch output {
        case .grid(let tiles): shown = ImageSynth.grid(tiles)
        case .single(let image): shown = image
        }
        if startContent != nil {
            let previewWidth = min(512, shown.width)
            let previewHeight = max(1, shown.height * previewWidth / max(1, shown.width))
            let preview = await compute { PNGCodec.encode(ImageSynth.resized(shown, width: previewWidth, height: previewHeight), level: 1) }
            for percent in [0, 15, 31, 46, 62, 78, 93] {
                await pause(percent == 0 ? 2 : 3)
                start.content = MJText.content(
                    prompt: prompt, userId: i.user.id, label: progressLabel ?? label, progress: "(\(percent)%)", mode: mode)
                start.edited_timestamp = timestamp()
                if percent > 0 {
                    start.attachments = [
                        await world.storeAttachment(
                            channelId: i.channelId, filename: "\(hash)_grid_0.png", bytes: preview, contentType: "image/png",
                            width: previewWidth, height: previewHeight, ephemeral: true)
                    ]
                }
                await world.update(start)
            }
        }
        let png = await encodePNG(shown)
        await pause(2)
        if startContent != nil { await world.delete(messageId: start.id, channelId: i.channelId) }
        let attachment = await world.storeAttachment(
            channelId: i.channelId, filename: fileName(user: i.user, prompt: prompt, hash: hash), bytes: png, contentType: "image/png",
            width: shown.width, height: shown.height)
        let components: [Component]
        let tiles: [RGBImage]
        switch output {
        case .grid(let t):
            components = MJText.gridButtons(hash: hash)
            tiles = t
        case .single(let image):
            components = MJText.upscaleButtons(hash: hash, index: 1, square: image.width == image.height)
            tiles = [image]
        }
        var final = Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: MJText.content(prompt: prompt, userId: i.user.id, label: label, mode: mode), timestamp: timestamp(), type: finalType,
            flags: 0, mentions: [i.user.discordUser], attachments: [attachment], components: components)
        if let reference {
            final.message_reference = MessageReference(message_id: reference.id, channel_id: reference.channel_id, guild_id: reference.guild_id)
            final.referenced_message = ReferencedMessage(reference)
        }
        await world.create(final)
        remember(
            BotJob(
                hash: hash, prompt: prompt, botId: i.applicationId, userId: i.user.id, channelId: i.channelId, messageId: final.id,
                tiles: tiles, isGrid: tiles.count == 4, mode: mode))
    }

    /// A grid of four fresh pictures for `prompt` (imagine, reroll, describe/shorten picks).
    func imagineOutput(prompt: String, salt: String) -> @Sendable () -> JobOutput {
        let seed = stableSeed(prompt + salt)
        let (w, h) = tileDimensions(prompt: prompt)
        return { .grid((1...4).map { ImageSynth.artwork(seed: seed &+ UInt64($0) &* 0x9E37_79B9_7F4A_7C15, width: w, height: h) }) }
    }
}
