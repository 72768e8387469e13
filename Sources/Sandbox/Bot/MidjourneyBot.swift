import DiscordKit
import Foundation
import Logging
import NIOPosix

/// What a finished job produced.
enum JobOutput: Sendable {
    case grid([RGBImage])
    case single(RGBImage)
}

/// A modal the bot opened and waits for (remix, custom zoom, describe/shorten picks, vary region).
struct PendingModal: Sendable {
    /// What the modal stands for.
    enum Kind: Sendable {
        case variation(index: Int, strong: Bool)
        case pan(PanDirection)
        case zoom(factor: Double)
        case reroll
        case imaginePick
        case inpaint
    }
    var kind: Kind
    var job: BotJob?
    var source: Message
    var modalCustomId: String
    var inputCustomId: String
    var userId: String
    var channelId: String
    var applicationId: String
}

/// Per-user settings of one bot (what /settings shows).
struct BotUserSettings: Sendable {
    var remix = false
    var mode = "fast"
    /// The model version the version select shows as default.
    var version = "6.1"
}

/// The simulated Midjourney / niji・journey / InsightFaceSwap bots: they answer commands and buttons
/// with the message sequences of the reference (start message with the nonce, progress edits with
/// previews, delete + final message with a real PNG and the real button set), open modals, and DM seeds.
actor MidjourneyBot {
    let world: SandboxWorld
    let configuration: SandboxConfiguration
    let logger: Logger
    /// Bounds of the bot's memory (oldest forgotten first): a long-running sandbox stays small.
    enum Limits {
        /// Finished jobs whose buttons can still be pressed.
        static let jobs = 50_000
        /// Open modals, iframes, appeals, describe images, /show messages.
        static let pending = 10_000
        /// Saved InsightFaceSwap faces.
        static let faces = 2_000
    }

    var jobs = BoundedDictionary<String, BotJob>(capacity: Limits.jobs)
    var jobOrder: [String] = []
    var running: [String: Int] = [:]
    var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    var settings: [String: BotUserSettings] = [:]  // "user:bot"
    var modals = BoundedDictionary<String, PendingModal>(capacity: Limits.pending)  // opening interaction id → modal
    var iframes = BoundedDictionary<String, PendingModal>(capacity: Limits.pending)  // iframe token → modal
    var faces = BoundedDictionary<String, RGBImage>(capacity: Limits.faces)  // "user:idname" → saved face (InsightFaceSwap)
    var pendingAppeals = BoundedDictionary<String, (BotInteraction, String)>(capacity: Limits.pending)  // appeal custom_id → original imagine
    var describeImages = BoundedDictionary<String, StoredFile>(capacity: Limits.pending)  // describe result message → described image
    var showMessages = BoundedDictionary<String, String>(capacity: Limits.pending)  // message posted by /show → job hash
    var pendingIframeInteractions = BoundedDictionary<String, BotInteraction>(capacity: Limits.pending)  // iframe token → the Vary (Region) press

    init(world: SandboxWorld, configuration: SandboxConfiguration, logger: Logger) {
        self.world = world
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: helpers

    func pause(_ seconds: Double) async {
        let ms = Int(seconds * configuration.speedFactor * 1000)
        if ms > 0 { try? await Task.sleep(for: .milliseconds(ms)) }
    }

    func botUser(_ applicationId: String) -> DiscordUser {
        SandboxReady.bots().first { $0.id == applicationId } ?? SandboxReady.bots()[0]
    }

    func userSettings(_ userId: String, _ botId: String) -> BotUserSettings { settings["\(userId):\(botId)"] ?? BotUserSettings() }

    func updateSettings(_ userId: String, _ botId: String, _ change: (inout BotUserSettings) -> Void) {
        var s = userSettings(userId, botId)
        change(&s)
        settings["\(userId):\(botId)"] = s
    }

    /// Control API: sets a user's settings for a bot.
    func setSettings(userId: String, botId: String, remix: Bool?, mode: String?) {
        updateSettings(userId, botId) {
            if let remix { $0.remix = remix }
            if let mode { $0.mode = mode }
        }
    }

    func targets(_ i: BotInteraction) async -> [String] {
        if let s = i.sessionId { return [s] }
        return await world.sessions(ofUser: i.user.id)
    }

    func sendInteractionEvent(_ name: String, _ i: BotInteraction, reason: Int? = nil) async {
        for s in await targets(i) {
            await world.send(name, InteractionEvent(id: i.id, nonce: i.nonce, reason_code: reason), to: s)
        }
    }

    func remember(_ job: BotJob) {
        jobs[job.hash] = job
        jobOrder.append(job.hash)
        if jobOrder.count > 300 { jobs[jobOrder.removeFirst()] = nil }
    }

    func timestamp() -> String { TextFormat.discordTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000)) }

    /// Waits for one of the user's concurrent-job slots. Nil when the queue is full; true when it had to queue.
    func acquireSlot(userId: String) async -> Bool? {
        if running[userId, default: 0] < configuration.concurrentJobs {
            running[userId, default: 0] += 1
            return false
        }
        if waiting[userId, default: []].count >= configuration.queuedJobs { return nil }
        await withCheckedContinuation { waiting[userId, default: []].append($0) }
        return true
    }

    func releaseSlot(userId: String) {
        if var list = waiting[userId], !list.isEmpty {
            let next = list.removeFirst()
            waiting[userId] = list
            next.resume()  // the slot passes on; `running` is unchanged
        } else {
            running[userId, default: 1] -= 1
        }
    }

    func interactionFields(_ i: BotInteraction, name: String) -> (MessageInteraction, InteractionMetadata) {
        let user = DiscordUser(id: i.user.id, username: i.user.username, discriminator: "0", global_name: i.user.username.capitalized)
        let owners = ["0": i.guildId ?? i.user.id]
        return (
            MessageInteraction(id: i.id, type: i.type, name: name, user: user),
            InteractionMetadata(
                id: i.id, type: i.type, name: i.type == 2 ? name : nil, command_type: i.type == 2 ? 1 : nil, user: user,
                authorizing_integration_owners: owners, original_response_message_id: nil, interacted_message_id: i.message?.id)
        )
    }

    /// The interaction-response message skeleton (start messages, embeds, ephemeral answers).
    func responseMessage(_ i: BotInteraction, name: String, content: String, embeds: [Embed] = [], flags: Int = 0) async -> Message {
        let (interaction, metadata) = interactionFields(i, name: name)
        return Message(
            id: await world.snowflake(), channel_id: i.channelId, guild_id: i.guildId, author: botUser(i.applicationId),
            content: content, timestamp: timestamp(), type: 0, flags: flags, nonce: i.nonce, webhook_id: i.applicationId,
            application_id: i.applicationId, mentions: [i.user.discordUser], embeds: embeds, interaction: interaction,
            interaction_metadata: metadata)
    }

    func sendError(
        _ i: BotInteraction, name: String, title: String, description: String, footer: String?, color: Int = 16_711_680,
        components: [Component] = []
    ) async {
        var msg = await responseMessage(
            i, name: name, content: "", embeds: [MJText.embed(title: title, description: description, color: color, footer: footer)])
        msg.components = components
        await world.create(msg)
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
    }

    /// An ephemeral (flags 64) answer only the requesting session sees.
    func sendEphemeral(_ i: BotInteraction, name: String, content: String, embeds: [Embed] = [], components: [Component] = []) async -> Message {
        var msg = await responseMessage(i, name: name, content: content, embeds: embeds, flags: 64)
        msg.components = components
        let sessions = await targets(i)
        for s in sessions { await world.create(msg, onlySession: s) }
        if sessions.isEmpty { await world.create(msg, onlySession: "") }
        await sendInteractionEvent("INTERACTION_SUCCESS", i)
        return msg
    }

    func fileName(user: SandboxUser, prompt: String, hash: String) -> String {
        let words = prompt.replacingOccurrences(of: #"<?https?://\S+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"--\S+(\s+[^-\s]\S*)?"#, with: "", options: .regularExpression)
        var slug = ""
        for ch in words.unicodeScalars {
            if ch.isASCII && CharacterSet.alphanumerics.contains(ch) {
                slug.unicodeScalars.append(ch)
            } else if !slug.hasSuffix("_") {
                slug += "_"
            }
        }
        slug = String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "_")).prefix(60))
        return "\(user.username)_\(slug)_\(hash).png"
    }

    /// Mode from prompt flags, else the user's current mode for the bot.
    func mode(for prompt: String, userId: String, botId: String) -> String {
        if prompt.contains("--relax") { return "relaxed" }
        if prompt.contains("--turbo") { return "turbo" }
        if prompt.contains("--fast") { return "fast" }
        return userSettings(userId, botId).mode
    }

    /// Tile dimensions for `--ar W:H` (or `--aspect`) with the longest side = tileSize.
    func tileDimensions(prompt: String) -> (Int, Int) {
        let size = max(16, configuration.tileSize)
        guard let (w, h) = PromptParameters.aspect(in: prompt), w > 0, h > 0, w.isFinite, h.isFinite else { return (size, size) }
        // Ratios are relative, so each side is min(w, h)/max(w, h) of the tile (in 0...1): never infinite or NaN.
        let longest = max(w, h)
        func side(_ v: Double) -> Int { max(8, Int((Double(size) * min(1, v / longest)).rounded(.down)) / 2 * 2) }
        return (side(w), side(h))
    }

    /// The sandbox's own threads for image work, started once and kept for the life of the process: not
    /// `NIOThreadPool.singleton`, where an embedding proxy's store (sqlite-nio) would queue behind images.
    static let imageThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// Waits for `answered` (the interaction's 204 written), or `limit` at most.
    static func untilAnswered(_ answered: OneShot<Bool>?, atMost limit: Duration) async {
        guard let answered, answered.current == nil else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await answered.value() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs image work off the cooperative pool (and off the event loops).
    func compute<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        (try? await Self.imageThreads.runIfActive { work() }) ?? work()
    }

    /// PNG at zlib's fastest level: the sandbox's pictures need to be real PNGs, not small ones.
    func encodePNG(_ image: RGBImage) async -> [UInt8] { await compute { PNGCodec.encode(image, level: 1) } }

    /// An image from uploaded bytes: decoded when PNG, else a picture drawn from the bytes' hash.
    func image(from file: StoredFile?, fallbackSeed: String) -> RGBImage {
        if let file, let decoded = PNGCodec.decode(file.bytes) { return decoded }
        let seed = file.map { stableSeed(String(decoding: $0.bytes.prefix(4096), as: UTF8.self) + "\($0.bytes.count)") } ?? stableSeed(fallbackSeed)
        return ImageSynth.artwork(seed: seed, width: configuration.tileSize, height: configuration.tileSize)
    }

    // MARK: entry

    /// Handles one interaction (runs as a child task of the sandbox service).
    func handle(_ i: BotInteraction) async {
        // Real Discord answers the POST before any INTERACTION_* event; user libraries (discord.py-self)
        // drop an INTERACTION_SUCCESS that overtakes the 204. So the events wait until the 204 has been
        // written (at most 2 s), then Discord's latency (~250 ms, scaled like every delay, at least 10 ms).
        await Self.untilAnswered(i.answered, atMost: .seconds(2))
        try? await Task.sleep(for: .milliseconds(max(10, Int(250 * configuration.speedFactor))))
        // A slow bot (sandbox condition): every answer comes several seconds late.
        if await world.has(.slowBot, userId: i.user.id) { await pause(8) }
        // Faults hit jobs, not the account's own /settings reads.
        let faultable = !(i.type == 2 && ["settings", "info", "prefer", "fast", "relax", "turbo"].contains(i.commandName ?? ""))
        if faultable, await world.takeFault(userId: i.user.id, among: [.interactionTimeout]) != nil {
            await sendInteractionEvent("INTERACTION_CREATE", i)
            await pause(3)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 2)
            return
        }
        await sendInteractionEvent("INTERACTION_CREATE", i)
        if faultable, await world.takeFault(userId: i.user.id, among: [.noAnswer]) != nil { return }
        switch i.type {
        case 2 where i.applicationId == SandboxIDs.insightFace:
            await insightFace(i)
        case 2:
            await command(i)
        case 3:
            await button(i)
        case 5:
            await modalSubmit(i)
        default:
            await pause(0.5)
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }
}
