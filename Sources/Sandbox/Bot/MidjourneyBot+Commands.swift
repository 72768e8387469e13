import DiscordKit
import Foundation

extension MidjourneyBot {
    /// Slash commands of the Midjourney and niji・journey bots.
    func command(_ i: BotInteraction) async {
        switch i.commandName ?? "" {
        case "imagine": await imagine(i)
        case "blend": await blend(i)
        case "describe": await describe(i)
        case "shorten": await shorten(i)
        case "settings": _ = await sendEphemeral(i, name: "settings", content: "Adjust your settings here. Current suffix: ", components: settingsComponents(i.user.id, i.applicationId))
        case "prefer":
            // `/prefer remix` toggles remix mode.
            if i.options["remix"] != nil {
                updateSettings(i.user.id, i.applicationId) { $0.remix.toggle() }
                let on = userSettings(i.user.id, i.applicationId).remix
                _ = await sendEphemeral(i, name: "prefer remix", content: on ? "Remix mode turned on! You can disable it by running `/prefer remix` again." : "Remix mode turned off! You can enable it by running `/prefer remix` again.")
            } else {
                _ = await sendEphemeral(i, name: "prefer", content: "Done!")
            }
        case "fast", "relax", "turbo":
            let mode = i.commandName == "relax" ? "relaxed" : i.commandName!
            updateSettings(i.user.id, i.applicationId) { $0.mode = mode }
            let text: String
            switch mode {
            case "relaxed": text = "Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with /fast"
            case "turbo": text = "Done! Turbo mode enabled: your jobs run faster and consume twice the fast-hours."  // constructed (unknown 12)
            default: text = "Done! Fast mode enabled: your jobs run at full speed and consume fast-hours."  // constructed (unknown 12)
            }
            _ = await sendEphemeral(i, name: i.commandName!, content: text)
        case "info": await info(i)
        case "show": await show(i)
        default:
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }

    func imagine(_ i: BotInteraction) async {
        let prompt = (i.options["prompt"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if await checkFaultsAndPrompt(i, prompt: prompt, footer: "/imagine \(prompt)", name: "imagine") { return }
        await runJob(
            i, name: "imagine", prompt: prompt,
            startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "", finalType: 0, reference: nil, output: imagineOutput(prompt: prompt, salt: ""))
    }

    /// `/blend`: 2–5 uploaded images mixed; the prompt is their short links plus the aspect ratio.
    func blend(_ i: BotInteraction) async {
        let names = ["image1", "image2", "image3", "image4", "image5"].filter { i.files[$0] != nil }
        guard names.count >= 2 else {
            await sendError(i, name: "blend", title: "Invalid request", description: "Blend needs at least two images.", footer: nil)
            return
        }
        let inputs = names.map { image(from: i.files[$0], fallbackSeed: $0) }
        let distinct = Set(names.compactMap { i.files[$0].map { Data($0.bytes) } })
        guard distinct.count == names.count else {
            await sendError(i, name: "blend", title: "Duplicate images detected", description: "Please use different images for blending.", footer: nil)
            return
        }
        let dimensions = i.options["dimensions"]?.stringValue ?? "--ar 1:1"
        let links = names.map { name -> String in
            let seed = stableSeed(name + i.id)
            return "<https://s.mj.run/\(String(seed, radix: 36).prefix(11))>"
        }
        let prompt = (links + [dimensions]).joined(separator: " ")
        let (w, h) = tileDimensions(prompt: prompt)
        let seed = stableSeed(i.id)
        await runJob(
            i, name: "blend", prompt: prompt,
            startContent: MJText.content(prompt: prompt, userId: i.user.id, progress: "(Waiting to start)", mode: nil),
            label: "", finalType: 0, reference: nil
        ) {
            .grid((1...4).map { ImageSynth.blend(inputs, seed: seed &+ UInt64($0), width: w, height: h) })
        }
    }

    /// `/describe`: deferred answer (flags 128, nonce), then an update with the four prompts.
    func describe(_ i: BotInteraction, retryOf imageFile: StoredFile? = nil) async {
        var file = imageFile ?? i.files["image"]
        if file == nil, let link = i.options["link"]?.stringValue { file = await world.file(url: link) ?? StoredFile(bytes: Array(link.utf8), contentType: "text/plain") }
        guard let file else {
            await sendError(i, name: "describe", title: "Invalid request", description: "Please provide an image or a link.", footer: nil)
            return
        }
        var deferred = await responseMessage(i, name: "describe", content: "", flags: 128)
        await world.create(deferred)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        await pause(3)
        let picture = image(from: file, fallbackSeed: i.id)
        let png = await encodePNG(picture)
        let shown = await world.storeAttachment(
            channelId: "1092492867185950852", filename: "\(UUID().uuidString.lowercased()).png", bytes: png, contentType: "image/png",
            width: picture.width, height: picture.height, ephemeral: true)
        let prompts = MJText.describePrompts(seed: stableSeed("\(file.bytes.count)" + String(decoding: file.bytes.prefix(2048), as: UTF8.self)))
        let description = prompts.enumerated().map { "\(MJText.keycaps[$0])  \($1)" }.joined(separator: "\n\n")
        deferred.flags = 0
        deferred.nonce = nil
        deferred.embeds = [Embed(type: "rich", description: description, color: 0, image: Embed.Image(url: shown.url, proxy_url: shown.proxy_url, width: picture.width, height: picture.height))]
        deferred.components = [
            .row((1...4).map { Component.button(customId: "MJ::Job::PicReader::\($0)", emoji: MJText.keycaps[$0 - 1]) }
                + [.button(customId: "MJ::Picread::Retry", emoji: "🔄")]),
            .row([.button(customId: "MJ::Job::PicReader::all", label: "Imagine all", emoji: "🎉")]),
        ]
        deferred.edited_timestamp = timestamp()
        await world.update(deferred)
        describeImages[deferred.id] = file
    }

    /// `/shorten`: deferred answer, then the analysis embed with five shortened prompts.
    func shorten(_ i: BotInteraction) async {
        let prompt = (i.options["prompt"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var deferred = await responseMessage(i, name: "shorten", content: "", flags: 128)
        await world.create(deferred)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        await pause(2)
        let words = prompt.split(separator: " ").filter { !$0.hasPrefix("--") }.map(String.init)
        let important = words.enumerated().map { $0.offset % 3 == 1 ? "~~\($0.element)~~" : "**\($0.element)**" }.joined(separator: " ")
        let shortened = (1...5).map { n in words.prefix(max(1, words.count - n + 1)).joined(separator: " ") }
        let description = "## Important tokens\n\(important)\n## Shortened prompts\n"
            + shortened.enumerated().map { "\(MJText.keycaps[$0])  \($1)" }.joined(separator: "\n\n")
        deferred.flags = 0
        deferred.nonce = nil
        deferred.embeds = [Embed(type: "rich", description: description, color: 0, footer: Embed.Footer(text: "Click on a button to imagine one of the shortened prompts"))]
        deferred.components = [
            .row((1...5).map { Component.button(customId: "MJ::Job::PromptAnalyzer::\($0)", emoji: MJText.keycaps[$0 - 1]) }),
            .row([.button(customId: "MJ::Job::PromptAnalyzer::Details", label: "Show Details")]),
        ]
        deferred.edited_timestamp = timestamp()
        await world.update(deferred)
    }

    /// `/info`: ephemeral deferred answer, then the `Your info - <name>` embed.
    func info(_ i: BotInteraction) async {
        let s = userSettings(i.user.id, i.applicationId)
        // Each limited fast job stands for 0.5 h of a 15 h plan; unlimited shows the reference's example.
        let fastTime: String
        if let left = await world.fastJobs(userId: i.user.id) {
            let hours = Double(left) * 0.5
            fastTime = String(format: "%.2f/15.0 hours (%.2f%%)", hours, hours / 15 * 100)
        } else {
            fastTime = "29.57/30.0 hours (98.58%)"
        }
        let lines = [
            "**Subscription**:               Pro (Active monthly, renews next on <t:1893456000>)",
            "**Job Mode**:                   \(s.mode == "relaxed" ? "Relaxed" : s.mode.capitalized)",
            "**Visibility Mode**:            Stealth",
            "**Fast Time Remaining**:        \(fastTime)",
            "**Lifetime Usage**:             \(jobs.count) images (0.10 hours)",
            "**Relaxed Usage**:              0 images (0.00 hours)",
            "",
            "**Queued Jobs (fast)**:         \(waiting[i.user.id]?.count ?? 0)",
            "**Queued Jobs (relax)**:        0",
            "**Running Jobs**:               \(running[i.user.id, default: 0] == 0 ? "None" : String(running[i.user.id]!))",
        ]
        var msg = await responseMessage(i, name: "info", content: "", flags: 64 | 128)
        let sessions = await targets(i)
        for s in sessions { await world.create(msg, onlySession: s) }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        await pause(1)
        msg.flags = 64
        msg.embeds = [Embed(type: "rich", title: "Your info - \(i.user.username)", description: lines.joined(separator: "\n"), color: 0)]
        for s in sessions { await world.update(msg, onlySession: s) }
    }

    /// `/show job_id:<uuid>`: posts the job message again where the command ran.
    func show(_ i: BotInteraction) async {
        let id = i.options["job_id"]?.stringValue ?? ""
        guard let job = jobs[id], let original = await world.message(id: job.messageId, channelId: job.channelId) else {
            await sendError(i, name: "show", title: "Invalid request", description: "Could not find a job with id \(id)", footer: nil)
            return
        }
        var copy = await responseMessage(i, name: "show", content: original.content)
        copy.attachments = original.attachments
        copy.components = original.components
        await world.create(copy)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        showMessages[copy.id] = job.hash
    }

    /// The /settings components (style 3 = on).
    func settingsComponents(_ userId: String, _ botId: String) -> [Component] {
        let s = userSettings(userId, botId)
        func toggle(_ on: Bool) -> Int { on ? 3 : 2 }
        var select = Component(type: 3, custom_id: "MJ::Settings::VersionSelector")
        select.options = MJText.settingsVersions.map {
            SelectOption(label: $0.hasPrefix("niji") ? "Niji Model V\($0.dropFirst(5))" : "Midjourney Model V\($0)", value: $0, description: nil, emoji: nil, default: $0 == s.version)
        }
        return [
            .row([select]),
            .row([
                .button(customId: "MJ::Settings::Style::raw", label: "RAW Mode", emoji: "🔧", style: 2),
                .button(customId: "MJ::Settings::RemixMode", label: "Remix mode", emoji: "🎛️", style: toggle(s.remix)),
                .button(customId: "MJ::Settings::HighVariabilityMode::1", label: "High Variation Mode", emoji: "🎨", style: 2),
            ]),
            .row([
                .button(customId: "MJ::Settings::FastMode", label: "Fast mode", emoji: "🐇", style: toggle(s.mode == "fast")),
                .button(customId: "MJ::Settings::RelaxMode", label: "Relax mode", emoji: "🐢", style: toggle(s.mode == "relaxed")),
                .button(customId: "MJ::Settings::TurboMode", label: "Turbo mode", emoji: "⚡", style: toggle(s.mode == "turbo")),
            ]),
            .row([.button(customId: "MJ::Settings::Reset", label: "Reset Settings", style: 2)]),
        ]
    }
}
