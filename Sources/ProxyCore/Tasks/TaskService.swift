import DiscordKit
import Foundation
import Logging

/// The answer to a submission (contract §2): `code`, `description`, `result`, `properties`.
/// It is also thrown/returned as the refusal of a submission step.
public struct SubmitResult: Error, Sendable, Equatable {
    public var code: Int
    public var description: String
    public var result: String?
    public var properties: JSONValue

    /// Creates a result.
    public init(code: Int, description: String, result: String? = nil, properties: JSONValue = [:]) {
        self.code = code
        self.description = description
        self.result = result
        self.properties = properties
    }

    /// The envelope JSON, keys in contract order.
    public var json: JSONValue {
        .object([("code", .int(Int64(code))), ("description", .string(description)), ("result", .string(orNull: result)), ("properties", properties)])
    }
}

/// A decoded image from a request.
public struct SubmittedImage: Sendable, Equatable {
    public var bytes: [UInt8]
    public var contentType: String
    public var fileExtension: String

    /// Creates an image.
    public init(bytes: [UInt8], contentType: String, fileExtension: String) {
        self.bytes = bytes
        self.contentType = contentType
        self.fileExtension = fileExtension
    }
}

/// What every submission carries besides its own fields.
public struct SubmitCommon: Sendable {
    public var botType: BotType
    public var filter: AccountFilter?
    /// Mode from the path prefix (`/mj-fast/…`).
    public var pathMode: SpeedMode?
    public var state: String?
    public var notifyHook: String?

    /// Creates the common part.
    public init(botType: BotType = .midJourney, filter: AccountFilter? = nil, pathMode: SpeedMode? = nil, state: String? = nil, notifyHook: String? = nil) {
        self.botType = botType
        self.filter = filter
        self.pathMode = pathMode
        self.state = state
        self.notifyHook = notifyHook
    }
}

/// Prompt handling before submission: translation of Chinese prompts and banned words.
public struct PromptPolicy: Sendable {
    public var translator: (any PromptTranslator)?
    public var bannedWords: BannedWords?

    /// Creates a policy (both parts optional).
    public init(translator: (any PromptTranslator)? = nil, bannedWords: BannedWords? = nil) {
        self.translator = translator
        self.bannedWords = bannedWords
    }
}

/// Submission use cases: validation that needs state (parents, accounts), prompt policy, task
/// creation and enqueueing; plus cancel, image seeds and image hosting.
public struct TaskService: Sendable {
    public let registry: TaskRegistry
    public let pool: AccountPool
    public let locale: TextLocale
    /// Translation and banned words now (replaced by a config reload; a submission reads it once).
    public var prompts: PromptPolicy { promptsBox.value }
    let promptsBox: Locked<PromptPolicy>
    let ids = TaskIDGenerator()
    let logger: Logger

    /// Creates the service.
    public init(registry: TaskRegistry, pool: AccountPool, locale: TextLocale = .en, prompts: PromptPolicy = PromptPolicy(), logger: Logger) {
        self.registry = registry
        self.pool = pool
        self.locale = locale
        self.promptsBox = Locked(prompts)
        self.logger = logger
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String { Texts.text(key, locale, values) }

    /// Replaces translation and banned words (live configuration); submissions in progress keep the old ones.
    public func setPrompts(_ policy: PromptPolicy) { promptsBox.withLock { $0 = policy } }

    func validation(_ key: String, _ values: [String: String] = [:]) -> SubmitResult {
        // Single-image fields have no index: "{field}[{i}]" renders as just the field.
        SubmitResult(code: 4, description: text(key, values).replacingOccurrences(of: "[]", with: ""))
    }

    /// Requested mode: path prefix, else the first filter mode, else a prompt flag (contract §1.7).
    static func requestedMode(common: SubmitCommon, prompt: String?) -> (SpeedMode?, fromPrompt: Bool) {
        if let m = common.pathMode { return (m, false) }
        if let m = common.filter?.modes.first { return (m, false) }
        if let prompt {
            for mode in SpeedMode.allCases where prompt.range(of: #"(^|\s)\#(mode.flag)(\s|$)"#, options: .regularExpression) != nil {
                return (mode, true)
            }
        }
        return (nil, false)
    }

    /// `prompt` with every speed flag removed and `mode`'s flag appended.
    static func applyMode(_ mode: SpeedMode, to prompt: String) -> String {
        var p = prompt
        for m in SpeedMode.allCases { p = p.replacingOccurrences(of: #"(^|\s)\#(m.flag)(?=\s|$)"#, with: "", options: .regularExpression) }
        return p.trimmingCharacters(in: .whitespaces) + " " + mode.flag
    }

    func choiceError(_ e: AccountChoiceError) -> SubmitResult {
        switch e {
        case .queueFull: return SubmitResult(code: 23, description: text("S4"))
        case .noAccount: return SubmitResult(code: 3, description: text("S5"))
        case .filterMismatch: return validation("V12")
        case .modeUnsupported(let m): return validation("V13", ["mode": m.rawValue])
        }
    }

    /// Translates (when configured and the prompt has Chinese) and checks banned words (code 24).
    func applyPolicy(_ prompt: String, checkBanned: Bool) async -> Result<String, SubmitResult> {
        var english = prompt
        if let translator = prompts.translator, PromptTranslation.containsChinese(prompt) {
            do {
                english = try await PromptTranslation.translatePrompt(prompt, using: translator)
            } catch {
                // A failed translation keeps the prompt as written rather than refusing the task.
                logger.warning("prompt translation failed", metadata: ["error": "\(error)"])
            }
        }
        if checkBanned, let banned = prompts.bannedWords, let word = await banned.firstMatch(in: english) {
            return .failure(
                SubmitResult(code: 24, description: text("S6"), properties: ["promptEn": .string(english), "bannedWord": .string(word)]))
        }
        return .success(english)
    }

    /// A new task with the shared fields set.
    func newTask(_ action: TaskAction, botType: BotType, prompt: String?, common: SubmitCommon) -> MJTask {
        let now = nowMillis()
        var task = MJTask(id: ids.next(now: now), action: action, botType: botType, prompt: prompt, submitTime: now)
        task.state = common.state
        task.notifyHook = common.notifyHook
        return task
    }

    static func pending(_ images: [SubmittedImage], taskId: String) -> [PendingImage] {
        images.enumerated().map { i, img in PendingImage(filename: "\(taskId)-\(i).\(img.fileExtension)", contentType: img.contentType, bytes: img.bytes) }
    }

    /// The account for a new submission, or the refusal (3, V12, V13) to answer.
    func chooseAccount(_ common: SubmitCommon, mode: SpeedMode?, botType: BotType? = nil) async throws(SubmitResult) -> DiscordAccount {
        switch await pool.choose(botType: botType ?? common.botType, filter: common.filter, mode: mode) {
        case .failure(let e): throw choiceError(e)
        case .success(let a): return a
        }
    }

    /// Creates the task on `account` and answers 1 / 22 / 23 / 9 (swap answers 1 even when queued).
    func enqueue(_ task: MJTask, on account: DiscordAccount) async -> SubmitResult {
        var task = task
        task.accountId = account.config.id
        task.setProperty("discordInstanceId", string: account.config.id)
        // Actions keep their parent's channel (it may be a sub-channel).
        if task.property("discordChannelId") == nil { task.setProperty("discordChannelId", string: account.config.channelId) }
        if let hook = task.notifyHook { task.setProperty("notifyHook", string: hook) }
        let stored = task
        let registry = self.registry
        do {
            let outcome = try await account.enqueue(task.id) { try await registry.create(stored) }
            return answer(outcome, task: task, account: account)
        } catch {
            logger.error("task creation failed", metadata: ["error": "\(error)"])
            return SubmitResult(code: 9, description: text("S3"))
        }
    }

    func answer(_ outcome: EnqueueResult, task: MJTask, account: DiscordAccount) -> SubmitResult {
        switch outcome {
        case .queueFull:
            return SubmitResult(code: 23, description: text("S4"))
        case .accepted(let ahead):
            if ahead == 0 || task.action == .swapFace {
                var props: JSONValue = ["discordInstanceId": .string(account.config.id)]
                if task.action == .swapFace { props = ["numberOfQueues": .int(Int64(ahead)), "discordInstanceId": .string(account.config.id)] }
                return SubmitResult(code: 1, description: text("S1"), result: task.id, properties: props)
            }
            return SubmitResult(
                code: 22, description: text("S2", ["n": String(ahead)]), result: task.id,
                properties: ["numberOfQueues": .int(Int64(ahead)), "discordInstanceId": .string(account.config.id)])
        }
    }

    // MARK: submissions

    /// `POST /mj/submit/imagine` after input validation.
    public func imagine(prompt: String, images: [SubmittedImage], common: SubmitCommon) async -> SubmitResult {
        let (modes, fromPrompt) = Self.requestedModes(common: common, prompt: prompt)
        let promptEn: String
        switch await applyPolicy(prompt, checkBanned: true) {
        case .failure(let refusal): return refusal
        case .success(let english): promptEn = english
        }
        var task = newTask(.imagine, botType: common.botType, prompt: prompt, common: common)
        task.description = "/imagine \(prompt)"
        task.pendingImages = Self.pending(images, taskId: task.id)
        return await place(task, request: Eligibility.Request(botType: common.botType, filter: common.filter, modes: modes)) { t, choice in
            let (text, mode) = Self.prompt(promptEn, for: choice, fromPrompt: fromPrompt)
            t.promptEn = text
            t.mode = mode
            t.requestedMode = mode
        }
    }

    /// `POST /mj/submit/blend`: 2–5 images and a dimensions choice (`--ar 2:3|1:1|3:2`).
    public func blend(images: [SubmittedImage], dimensions: String, common: SubmitCommon) async -> SubmitResult {
        var task = newTask(.blend, botType: common.botType, prompt: nil, common: common)
        task.promptEn = nil
        task.description = "/blend \(task.id) \(images.count)"
        task.pendingImages = Self.pending(images, taskId: task.id)
        task.inputs = ["dimensions": dimensions]
        let modes = Self.requestedModes(common: common, prompt: nil).modes
        return await place(task, request: Eligibility.Request(botType: common.botType, filter: common.filter, modes: modes))
    }

    /// `POST /mj/submit/describe`: one image (bytes) or a link downloaded when the task runs.
    public func describe(image: SubmittedImage?, link: String?, common: SubmitCommon) async -> SubmitResult {
        var task = newTask(.describe, botType: common.botType, prompt: nil, common: common)
        task.promptEn = nil
        if let image {
            task.pendingImages = Self.pending([image], taskId: task.id)
            task.description = "/describe \(task.id).\(image.fileExtension)"
        } else if let link {
            task.inputs = ["link": link]
            task.description = "/describe \(task.id).png"
        }
        let modes = Self.requestedModes(common: common, prompt: nil).modes
        return await place(task, request: Eligibility.Request(botType: common.botType, filter: common.filter, modes: modes))
    }

    /// `POST /mj/submit/shorten`: translated, no banned-word check.
    public func shorten(prompt: String, common: SubmitCommon) async -> SubmitResult {
        guard case .success(let english) = await applyPolicy(prompt, checkBanned: false) else { return SubmitResult(code: 9, description: text("S3")) }
        var task = newTask(.shorten, botType: common.botType, prompt: prompt, common: common)
        task.promptEn = english
        task.description = "/shorten \(prompt)"
        let modes = Self.requestedModes(common: common, prompt: prompt).modes
        return await place(task, request: Eligibility.Request(botType: common.botType, filter: common.filter, modes: modes))
    }

    /// `POST /mj/insight-face/swap`: source face + target image (bytes, or URLs downloaded when it runs).
    public func swapFace(source: SubmittedImage?, sourceURL: String?, target: SubmittedImage?, targetURL: String?, common: SubmitCommon) async
        -> SubmitResult
    {
        var task = newTask(.swapFace, botType: .insightFace, prompt: nil, common: common)
        task.promptEn = nil
        task.description = "/swap \(task.id)"
        task.pendingImages = Self.pending([source, target].compactMap { $0 }, taskId: task.id)
        var inputs: [String: String] = [:]
        if source == nil, let sourceURL { inputs["sourceUrl"] = sourceURL }
        if target == nil, let targetURL { inputs["targetUrl"] = targetURL }
        task.inputs = inputs.isEmpty ? nil : inputs
        return await place(task, request: Eligibility.Request(botType: .midJourney, filter: common.filter))
    }

    // MARK: actions and modals

    /// `POST /mj/submit/action` after input validation. `autoSubmitModal` (change / simple-change)
    /// never answers 21: a remix modal is answered with the parent prompt.
    public func action(taskId: String, customId: String, chooseSameChannel: Bool, common: SubmitCommon, autoSubmitModal: Bool = false) async
        -> SubmitResult
    {
        let parent: MJTask
        do {
            guard let p = try await registry.task(id: taskId) else { return validation("V18") }
            parent = p
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        guard parent.status == .success else { return validation("V19") }
        guard let rule = CustomIdRules.action(for: customId) else { return validation("V26", ["id": customId]) }
        let onParent = parent.buttons.contains { $0.customId == customId } || (parent.messageHash.map { customId.contains($0) } ?? false)
        guard onParent else { return validation("V27") }
        guard let account = await actionAccount(parent: parent, chooseSameChannel: chooseSameChannel, filter: common.filter) else {
            return validation("V14", ["id": parent.accountId ?? ""])
        }
        if let filter = common.filter, !filter.admits(account.config, remixOn: await account.remixOn(parent.botType)) { return validation("V12") }
        var task = newTask(rule.action, botType: parent.botType, prompt: parent.prompt, common: common)
        task.promptEn = parent.promptEn
        task.customId = customId
        task.parentId = parent.id
        task.parentMessageId = parent.messageId
        task.parentMessageFlags = parent.properties["flags"]?.intValue.map { Int($0) } ?? 0
        // The job runs where the parent's buttons are (its channel may be a sub-channel).
        if let channel = parent.property("discordChannelId"), account.config.channels.contains(channel) {
            task.setProperty("discordChannelId", string: channel)
        }
        task.description = "/up \(parent.id) \(CustomIdRules.shortName(customId))"
        let parentPrompt = parent.finalPrompt ?? parent.promptEn ?? parent.prompt ?? ""
        // Describe / shorten picks carry the chosen prompt; other modals start from the parent's prompt.
        var modalPrompt = parentPrompt
        if let n = Int(customId.components(separatedBy: "::").last ?? ""), customId.hasPrefix("MJ::Job::PicReader::") || customId.hasPrefix("MJ::Job::PromptAnalyzer::") {
            modalPrompt = Self.numberedPrompt(parentPrompt, index: n) ?? parentPrompt
        }
        task.setProperty("finalPrompt", string: modalPrompt)
        let remixOn = await account.remixOn(parent.botType)
        let needsModal = rule.modal == .always || (rule.modal == .remix && remixOn && !account.config.remixAutoSubmit)
        if needsModal && !autoSubmitModal {
            task.status = .modal
            task.setProperty("remix", .bool(rule.modal == .remix))
            return await createModal(task, on: account, remix: rule.modal == .remix)
        }
        if rule.modal == .always {
            // A modal that only /submit/modal can fill (zoom, region, picks) cannot be auto-submitted.
            return validation("V26", ["id": customId])
        }
        task.promptEn = parentPrompt
        return await enqueue(task, on: account)
    }

    /// The parent's account, or with `chooseSameChannel` any enabled account in the parent's channel (parent's preferred).
    func actionAccount(parent: MJTask, chooseSameChannel: Bool, filter: AccountFilter?) async -> DiscordAccount? {
        let own = await parent.accountId.asyncFlatMap { await pool.account(id: $0) }
        if let own, own.config.enabled, await own.isAvailable { return own }
        guard chooseSameChannel, let channel = parent.property("discordChannelId") ?? own?.config.channelId else { return nil }
        for account in await pool.all where account.config.channels.contains(channel) && account.config.enabled {
            if await account.isAvailable { return account }
        }
        return nil
    }

    /// The n-th numbered prompt (1️⃣ …) of a describe / shorten text.
    static func numberedPrompt(_ text: String, index: Int) -> String? {
        let keycaps = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣"]
        guard (1...5).contains(index) else { return nil }
        let section = text.components(separatedBy: "## Shortened prompts").last ?? text
        for block in section.components(separatedBy: "\n") {
            let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix(keycaps[index - 1]) {
                return String(trimmed.dropFirst(keycaps[index - 1].count)).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    func createModal(_ task: MJTask, on account: DiscordAccount, remix: Bool) async -> SubmitResult {
        var task = task
        task.accountId = account.config.id
        task.setProperty("discordInstanceId", string: account.config.id)
        if task.property("discordChannelId") == nil { task.setProperty("discordChannelId", string: account.config.channelId) }
        task.lastActivity = nowMillis()
        do {
            try await registry.create(task)
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        await account.trackModal(task.id)
        return SubmitResult(
            code: 21, description: text("S7"), result: task.id,
            properties: ["finalPrompt": .string(task.finalPrompt ?? ""), "remix": .bool(remix), "discordInstanceId": .string(account.config.id)])
    }

    /// `POST /mj/submit/modal`: completes a MODAL task with its prompt (and, for Vary Region, the mask).
    public func modal(taskId: String, prompt rawPrompt: String?, mask: SubmittedImage?) async -> SubmitResult {
        guard let task = try? await registry.task(id: taskId) else { return validation("V28") }
        guard task.status == .modal else { return validation("V29") }
        var prompt = rawPrompt?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if prompt.isEmpty {
            prompt = task.finalPrompt ?? task.prompt ?? ""
            if task.action == .customZoom && !prompt.contains("--zoom") { prompt += " --zoom 2" }
        }
        guard prompt.count <= 8192 else { return validation("V7") }
        if task.action == .customZoom {
            guard let m = prompt.firstMatch(of: /--zoom\s+([0-9]*\.?[0-9]+)/), let z = Double(m.output.1), (1...2).contains(z) else { return validation("V31") }
        }
        if task.action == .inpaint {
            guard let mask else { return validation("V30") }
            guard mask.contentType == "image/png" else { return validation("V9", ["field": "maskBase64", "i": ""]) }
        }
        let english: String
        switch await applyPolicy(prompt, checkBanned: true) {
        case .failure(let refusal): return refusal
        case .success(let e): english = e
        }
        guard let accountId = task.accountId, let account = await pool.account(id: accountId), await account.isAvailable else {
            return validation("V14", ["id": task.accountId ?? ""])
        }
        let maskImages = mask.map { Self.pending([$0], taskId: task.id) } ?? []
        let finalPrompt = prompt
        let outcome: EnqueueResult
        do {
            outcome = try await account.enqueue(task.id) { [registry] in
                // Compare-and-set MODAL → NOT_START: of two concurrent submits only one sends a job.
                let moved = await registry.transition(taskId, from: [.modal]) {
                    $0.status = .notStart
                    $0.prompt = finalPrompt
                    $0.promptEn = english
                    $0.pendingImages = maskImages
                    $0.setProperty("remix", nil)
                }
                if moved == nil { throw ModalAlreadySubmitted() }
            }
        } catch is ModalAlreadySubmitted {
            return validation("V29")
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        return answer(outcome, task: task, account: account)
    }

    /// The MODAL task was submitted by a concurrent request first.
    struct ModalAlreadySubmitted: Error {}

    // MARK: other task operations

    /// `POST /mj/task/{id}/cancel`. Nil when the task is unknown.
    public func cancel(taskId: String) async -> SubmitResult? {
        guard let task = try? await registry.task(id: taskId) else { return nil }
        guard !task.status.isFinished else { return validation("V32") }
        if let accountId = task.accountId, let account = await pool.account(id: accountId) { await account.cancel(taskId) }
        let reason = text("F4")
        let cancelled = await registry.transition(taskId, from: [.notStart, .submitted, .inProgress, .modal]) {
            $0.status = .cancel
            $0.failReason = reason
            $0.finishTime = max(nowMillis(), $0.startTime ?? $0.submitTime)
        }
        // Finished meanwhile: a finished task never changes.
        guard cancelled != nil else { return validation("V32") }
        return SubmitResult(code: 1, description: text("S8"), result: taskId)
    }

    /// `GET /mj/task/{id}/image-seed`. Nil when the task is unknown.
    public func imageSeed(taskId: String, timeout: Duration = .seconds(25)) async -> SubmitResult? {
        guard let task = try? await registry.task(id: taskId) else { return nil }
        if let seed = task.property("seed") { return SubmitResult(code: 1, description: text("S8"), result: seed) }
        guard task.status == .success, task.messageHash != nil, ![.describe, .shorten, .swapFace].contains(task.action) else {
            return validation("V38")
        }
        guard let accountId = task.accountId, let account = await pool.account(id: accountId), await account.isAvailable else {
            return validation("V14", ["id": task.accountId ?? ""])
        }
        guard let seed = await account.imageSeed(task: task, timeout: timeout) else { return SubmitResult(code: 9, description: text("S9")) }
        await registry.setSeed(taskId, seed)
        return SubmitResult(code: 1, description: text("S8"), result: seed)
    }

    /// `POST /mj/submit/upload-discord-images`: hosts images in an account's channel, returns their URLs.
    public func uploadImages(_ images: [SubmittedImage], common: SubmitCommon) async -> (SubmitResult, [String]?) {
        let account: DiscordAccount
        do { account = try await chooseAccount(common, mode: nil) } catch { return (error, nil) }
        let stamp = ids.next()
        do {
            let urls = try await account.hostImages(Self.pending(images, taskId: stamp))
            return (SubmitResult(code: 1, description: text("S1")), urls)
        } catch {
            return (SubmitResult(code: 9, description: text("F3")), nil)
        }
    }

    /// Puts recovered unfinished tasks back on their accounts after a restart.
    public func recover() async {
        do {
            let tasks = try await registry.recover()
            var requeued = 0
            var adopted = 0
            for task in tasks {
                guard let accountId = task.accountId, let account = await pool.account(id: accountId), account.config.enabled else {
                    let reason = text("F6", ["id": task.accountId ?? ""])
                    await registry.update(task.id) { $0.fail(reason, at: nowMillis()) }
                    continue
                }
                switch task.status {
                case .notStart where task.nonce != nil:
                    // Its interaction may have been sent before the crash: never send it again; its
                    // bot messages (live or from the channel history) still reach it, else it times out.
                    await account.adopt(task)
                    adopted += 1
                case .notStart:
                    await account.requeue(task.id)
                    requeued += 1
                case .submitted, .inProgress:
                    await account.adopt(task)
                    adopted += 1
                case .modal:
                    await account.trackModal(task.id)
                default:
                    break
                }
            }
            if !tasks.isEmpty { logger.info("recovered unfinished tasks", metadata: ["requeued": "\(requeued)", "running": "\(adopted)"]) }
        } catch {
            logger.error("task recovery failed", metadata: ["error": "\(error)"])
        }
    }
}

extension Optional {
    /// `flatMap` with an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async -> U?) async -> U? {
        guard let self else { return nil }
        return await transform(self)
    }
}
