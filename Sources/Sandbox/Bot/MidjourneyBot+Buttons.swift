import DiscordKit
import Foundation

extension MidjourneyBot {
    /// Button presses (type 3): job buttons, settings toggles, describe/shorten picks, appeal.
    func button(_ i: BotInteraction) async {
        guard let customId = i.customId, let source = i.message else {
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
            return
        }
        let parts = customId.components(separatedBy: "::")
        if customId.hasPrefix("MJ::Settings::") { return await settingsButton(i, customId: customId, source: source) }
        if customId.hasPrefix("MJ::Appeal::") || customId.hasPrefix("MJ::Tos::"),
            let (original, prompt) = pendingAppeals.removeValue(forKey: customId)
        {
            // The appeal succeeds in the sandbox, and accepted Terms of Service let the job go on: the original job runs.
            await sendInteractionEvent("INTERACTION_SUCCESS", i)
            await runJob(
                original, name: "imagine", prompt: prompt,
                startContent: MJText.content(prompt: prompt, userId: original.user.id, progress: "(Waiting to start)", mode: nil),
                label: "", finalType: 0, reference: nil, output: imagineOutput(prompt: prompt, salt: "appeal"))
            return
        }
        if customId.hasPrefix("MJ::BOOKMARK::") { return await sendInteractionEvent("INTERACTION_SUCCESS", i) }
        if customId == "MJ::Picread::Retry" {
            return await describe(i, retryOf: describeImages[source.id] ?? StoredFile(bytes: Array(source.id.utf8), contentType: "text/plain"))
        }
        // Describe picks (1–4) and shorten picks (1–5) open a modal pre-filled with the chosen prompt.
        let describePick = customId.hasPrefix("MJ::Job::PicReader::")
        if describePick || customId.hasPrefix("MJ::Job::PromptAnalyzer::"), let n = Int(parts.last ?? ""), (1...(describePick ? 4 : 5)).contains(n) {
            let (modalId, inputId) =
                describePick
                ? ("MJ::Picreader::Modal::\(n)", "MJ::Picreader::Modal::PromptField")
                : ("MJ::ImagineModal::\(source.id)", "MJ::ImagineModal::new_prompt")
            return await openModal(
                i, PendingModal(
                    kind: .imaginePick, job: nil, source: source, modalCustomId: modalId, inputCustomId: inputId, userId: i.user.id,
                    channelId: i.channelId, applicationId: i.applicationId),
                title: "Imagine This!", value: describedPrompt(source, index: n))
        }
        // Job buttons carry the job hash.
        let hash: String?
        switch (parts.count, parts.count >= 2 ? parts[1] : "") {
        case (5..., "JOB"): hash = parts[4]
        case (5..., "Outpaint"): hash = parts[4]
        case (3, "CustomZoom"): hash = parts[2]
        case (5, "Inpaint"): hash = parts[3]
        default: hash = nil
        }
        guard let hash, let job = jobs[hash] else {
            await pause(0.5)
            return await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
        await markPressed(customId, on: source)
        let remix = userSettings(i.user.id, i.applicationId).remix
        func modal(_ kind: PendingModal.Kind, _ id: String, _ input: String, _ title: String, _ value: String) async {
            await openModal(
                i, PendingModal(
                    kind: kind, job: job, source: source, modalCustomId: id, inputCustomId: input, userId: i.user.id, channelId: i.channelId,
                    applicationId: i.applicationId), title: title, value: value)
        }
        let index = Int(parts.count > 3 ? parts[3] : "1") ?? 1
        switch (parts[1], parts[2]) {
        case ("JOB", "upsample") where job.isGrid && (1...4).contains(index):
            await upscalePick(i, job: job, index: index, source: source)
        case ("JOB", let kind) where kind.hasPrefix("upsample_"):
            let style = kind.contains("creative") ? "Creative" : kind.contains("subtle") ? "Subtle" : kind.contains("4x") ? "4x" : "2x"
            let base = job.tiles[0]
            let factor = style == "4x" ? 4 : 2
            let cap = max(16, configuration.tileSize) * 2
            let (w, h) = (min(base.width * factor, cap), min(base.height * factor, cap * base.height / max(1, base.width)))
            await runJob(
                i, name: "upscale", prompt: job.prompt, startContent: "Upscaling image #1 with **\(job.prompt)** - <@\(i.user.id)> (Waiting to start)",
                label: "Upscaled (\(style)) by ", progressLabel: "Upscaling by ", finalType: 19, reference: source
            ) { .single(ImageSynth.resized(base, width: w, height: h)) }
        case ("JOB", "variation") where job.isGrid && (1...4).contains(index):
            if remix {
                await modal(.variation(index: index, strong: true), "MJ::RemixModal::\(hash)::\(index)::1", "MJ::RemixModal::new_prompt", "Remix Prompt", job.prompt)
            } else {
                await variation(i, job: job, index: index, strong: true, prompt: job.prompt, remix: false, source: source)
            }
        case ("JOB", "low_variation"), ("JOB", "high_variation"):
            let strong = parts[2] == "high_variation"
            if remix {
                await modal(.variation(index: 1, strong: strong), "MJ::RemixModal::\(hash)::1::\(strong ? 1 : 0)", "MJ::RemixModal::new_prompt", "Remix Prompt", job.prompt)
            } else {
                await variation(i, job: job, index: 1, strong: strong, prompt: job.prompt, remix: false, source: source)
            }
        case ("JOB", "reroll"):
            if remix {
                await modal(.reroll, "MJ::ImagineModal::\(source.id)", "MJ::ImagineModal::new_prompt", "Imagine This!", job.prompt)
            } else {
                await reroll(i, prompt: job.prompt)
            }
        case ("JOB", let kind) where kind.hasPrefix("pan_"):
            let direction = PanDirection(rawValue: String(kind.dropFirst(4))) ?? .left
            if remix {
                await modal(.pan(direction), "MJ::PanModal::\(direction.rawValue)::\(hash)::1", "MJ::PanModal::prompt", "Pan", job.prompt)
            } else {
                await pan(i, job: job, direction: direction, prompt: job.prompt, source: source)
            }
        case ("Outpaint", let amount):
            let factor = amount == "50" ? 2.0 : amount == "75" ? 1.5 : 1.0
            if remix {
                await modal(.zoom(factor: factor), "MJ::OutpaintCustomZoomModal::\(hash)", "MJ::OutpaintCustomZoomModal::prompt", "Zoom Out", job.prompt + " --zoom \(factor == 1 ? "1" : String(factor))")
            } else {
                await zoom(i, job: job, factor: factor, prompt: job.prompt, source: source)
            }
        case ("CustomZoom", _):
            await modal(.zoom(factor: 2), "MJ::OutpaintCustomZoomModal::\(hash)", "MJ::OutpaintCustomZoomModal::prompt", "Zoom Out", job.prompt + " --zoom 2")
        case ("Inpaint", _):
            await openIframe(
                i, PendingModal(
                    kind: .inpaint, job: job, source: source, modalCustomId: "", inputCustomId: "", userId: i.user.id, channelId: i.channelId,
                    applicationId: i.applicationId))
        default:
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }

    /// Midjourney edits a job message when one of its buttons is pressed: that button turns green
    /// (style 3). The edit starts from the channel's current copy, so concurrent presses add up.
    func markPressed(_ customId: String, on source: Message) async {
        var current = await world.message(id: source.id, channelId: source.channel_id) ?? source
        guard current.components.contains(where: { row in row.components?.contains { $0.custom_id == customId } ?? false }) else { return }
        current.components = current.components.map { row in
            var row = row
            row.components = row.components?.map { c in
                var c = c
                if c.custom_id == customId { c.style = 3 }
                return c
            }
            return row
        }
        current.edited_timestamp = timestamp()
        await world.update(current)
    }

    /// The prompt `index` of a describe (1️⃣ …) or shorten result embed.
    func describedPrompt(_ message: Message, index: Int) -> String {
        let text = message.embeds.first?.description ?? ""
        let section = text.components(separatedBy: "## Shortened prompts").last ?? text
        for block in section.components(separatedBy: "\n\n") {
            let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix(MJText.keycaps[index - 1]) {
                return String(trimmed.dropFirst(MJText.keycaps[index - 1].count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return ""
    }

    // MARK: settings

    func settingsButton(_ i: BotInteraction, customId: String, source: Message) async {
        switch customId {
        case "MJ::Settings::RemixMode": updateSettings(i.user.id, i.applicationId) { $0.remix.toggle() }
        case "MJ::Settings::FastMode": updateSettings(i.user.id, i.applicationId) { $0.mode = "fast" }
        case "MJ::Settings::RelaxMode": updateSettings(i.user.id, i.applicationId) { $0.mode = "relaxed" }
        case "MJ::Settings::TurboMode": updateSettings(i.user.id, i.applicationId) { $0.mode = "turbo" }
        case "MJ::Settings::Reset": updateSettings(i.user.id, i.applicationId) { $0 = BotUserSettings() }
        case "MJ::Settings::VersionSelector":
            if let value = i.data["values"]?.arrayValue?.first?.stringValue, MJText.settingsVersions.contains(value) {
                updateSettings(i.user.id, i.applicationId) { $0.version = value }
            }
        default: break
        }
        var updated = source
        updated.components = settingsComponents(i.user.id, i.applicationId)
        updated.edited_timestamp = timestamp()
        for s in await targets(i) { await world.update(updated, onlySession: s) }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
    }

    // MARK: modals

    /// Opens a modal on the session named in the request only (reference A.2.8), then acknowledges.
    func openModal(_ i: BotInteraction, _ modal: PendingModal, title: String, value: String) async {
        modals[i.id] = modal
        var input = Component(type: 4, style: 2, label: title, custom_id: modal.inputCustomId, value: value, required: true)
        input.min_length = 1
        input.max_length = 6000
        let event = ModalEvent(
            id: i.id, nonce: i.nonce, channel_id: i.channelId, custom_id: modal.modalCustomId, title: title,
            application: .init(id: i.applicationId, name: botUser(i.applicationId).username, icon: botUser(i.applicationId).avatar),
            components: [.row([input])], iframe_path: nil, modal_size: nil)
        if let session = i.sessionId { await world.send("INTERACTION_MODAL_CREATE", event, to: session) }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
    }

    /// Opens the Vary (Region) editor as an iframe modal; the mask arrives through the activity's submit-job.
    func openIframe(_ i: BotInteraction, _ modal: PendingModal) async {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        iframes[token] = modal
        let event = ModalEvent(
            id: i.id, nonce: i.nonce, channel_id: i.channelId, custom_id: "MJ::iframe::\(token)", title: "Vary Region",
            application: .init(id: i.applicationId, name: botUser(i.applicationId).username, icon: botUser(i.applicationId).avatar),
            components: nil, iframe_path: "inpaint/index.html?custom_id=\(token)", modal_size: 2)
        if let session = i.sessionId { await world.send("INTERACTION_IFRAME_MODAL_CREATE", event, to: session) }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        pendingIframeInteractions[token] = i
    }

    /// A modal submit (type 5): runs the job the modal stands for with the entered prompt.
    func modalSubmit(_ i: BotInteraction) async {
        guard let openedBy = i.data["id"]?.stringValue, let modal = modals[openedBy], modal.userId == i.user.id,
            i.data["custom_id"]?.stringValue == modal.modalCustomId
        else {
            await pause(0.5)
            return await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
        modals[openedBy] = nil
        let rows = i.data["components"]?.arrayValue ?? []
        let inputs = rows.flatMap { $0["components"]?.arrayValue ?? [] }
        let prompt = (inputs.first { $0["custom_id"]?.stringValue == modal.inputCustomId }?["value"]?.stringValue ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { return await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1) }
        if await checkFaultsAndPrompt(i, prompt: prompt, footer: "/imagine \(prompt)", name: "imagine") { return }
        switch modal.kind {
        case .variation(let index, let strong):
            guard let job = modal.job else { return }
            await variation(i, job: job, index: index, strong: strong, prompt: prompt, remix: true, source: modal.source)
        case .pan(let direction):
            guard let job = modal.job else { return }
            await pan(i, job: job, direction: direction, prompt: prompt, source: modal.source)
        case .zoom:
            guard let job = modal.job else { return }
            guard let m = prompt.firstMatch(of: /--zoom\s+([0-9]*\.?[0-9]+)/), let factor = Double(m.output.1), (1...2).contains(factor) else {
                return await sendError(i, name: "zoom", title: "Invalid parameter", description: "Zoom must be between 1 and 2.", footer: nil)
            }
            await zoom(i, job: job, factor: factor, prompt: prompt, source: modal.source)
        case .reroll, .imaginePick:
            await reroll(i, prompt: prompt)
        case .inpaint:
            break
        }
    }

    /// Whether an iframe (Vary Region editor) with this token is open.
    func hasIframe(_ token: String) -> Bool { iframes[token] != nil }

    /// The activity's `POST /inpaint/api/submit-job` (reference A.4.5): runs Vary (Region) with the mask.
    func inpaintSubmit(token: String, maskBase64: String, prompt: String) async -> Bool {
        guard let modal = iframes.removeValue(forKey: token), let job = modal.job, var i = pendingIframeInteractions.removeValue(forKey: token) else {
            return false
        }
        let mask = Data(base64Encoded: maskBase64).flatMap { PNGCodec.decode(Array($0)) }
        let text = prompt.isEmpty ? job.prompt : prompt
        // Messages of an activity-started job carry no nonce (there was no Discord interaction for it).
        i.nonce = nil
        let base = job.tiles[0]
        let seed = stableSeed(text + token)
        await runJob(
            i, name: "inpaint", prompt: text, startContent: MJText.content(prompt: text, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "Variations (Region) by ", finalType: 19, reference: modal.source
        ) {
            .grid((1...4).map { ImageSynth.inpaint(base, mask: mask, seed: seed &+ UInt64($0)) })
        }
        return true
    }

    // MARK: jobs from buttons

    func variation(_ i: BotInteraction, job: BotJob, index: Int, strong: Bool, prompt: String, remix: Bool, source: Message) async {
        let tile = job.tiles[min(index, job.tiles.count) - 1]
        let seed = stableSeed(prompt + "#v\(index)#" + i.id)
        let label = (remix ? "Remix" : "Variations") + (strong ? " (Strong) by " : " (Subtle) by ")
        await runJob(
            i, name: "variation", prompt: prompt,
            startContent: "Making variations for image #\(index) with prompt **\(prompt)** - <@\(i.user.id)> (Waiting to start)",
            label: label, finalType: 19, reference: source
        ) {
            .grid((1...4).map { ImageSynth.variation(of: tile, seed: seed &+ UInt64($0), strength: strong ? 0.6 : 0.25) })
        }
    }

    func reroll(_ i: BotInteraction, prompt: String) async {
        await runJob(
            i, name: "imagine", prompt: prompt, startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "", finalType: 0, reference: nil, output: imagineOutput(prompt: prompt, salt: "#reroll#" + i.id))
    }

    func pan(_ i: BotInteraction, job: BotJob, direction: PanDirection, prompt: String, source: Message) async {
        let base = job.tiles[0]
        let seed = stableSeed(prompt + "#pan#" + i.id)
        await runJob(
            i, name: "pan", prompt: prompt, startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "Pan \(direction.rawValue.capitalized) by ", finalType: 19, reference: source
        ) {
            .grid((1...4).map { ImageSynth.pan(ImageSynth.variation(of: base, seed: seed &+ UInt64($0), strength: 0.1), direction: direction, seed: seed &+ UInt64($0)) })
        }
    }

    func zoom(_ i: BotInteraction, job: BotJob, factor: Double, prompt: String, source: Message) async {
        let base = job.tiles[0]
        let seed = stableSeed(prompt + "#zoom#" + i.id)
        // Make Square (factor 1 on a non-square image) widens the short side; zooms keep the canvas.
        let side = max(base.width, base.height)
        let (w, h) = factor == 1 ? (side, side) : (base.width, base.height)
        await runJob(
            i, name: "zoom", prompt: prompt, startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "Zoom Out by ", finalType: 19, reference: source
        ) {
            .grid((1...4).map { ImageSynth.zoomOut(base, factor: max(1, factor), seed: seed &+ UInt64($0), width: w, height: h) })
        }
    }

    /// U1–U4: one REPLY with the quadrant and the upscale buttons; the pressed U turns primary.
    func upscalePick(_ i: BotInteraction, job: BotJob, index: Int, source: Message) async {
        await pause(1)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        let tile = job.tiles[index - 1]
        let hash = UUID().uuidString.lowercased()
        let png = await encodePNG(tile)
        await pause(2)
        let attachment = await world.storeAttachment(
            channelId: i.channelId, filename: fileName(user: i.user, prompt: job.prompt, hash: hash), bytes: png, contentType: "image/png",
            width: tile.width, height: tile.height)
        let reply = Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: "**\(job.prompt)** - Image #\(index) <@\(i.user.id)>", timestamp: timestamp(), type: 19, flags: 0,
            mentions: [i.user.discordUser], attachments: [attachment],
            components: MJText.upscaleButtons(hash: hash, index: index, square: tile.width == tile.height),
            message_reference: MessageReference(message_id: source.id, channel_id: source.channel_id, guild_id: source.guild_id),
            referenced_message: source)
        await world.create(reply)
        remember(
            BotJob(
                hash: hash, prompt: job.prompt, botId: i.applicationId, userId: i.user.id, channelId: i.channelId, messageId: reply.id,
                tiles: [tile], isGrid: false, mode: job.mode))
    }
}
