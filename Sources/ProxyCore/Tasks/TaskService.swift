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
    public let ids = TaskIDGenerator()
    let logger: Logger
    /// Accounts other instances hold (several instances on one store), for tasks no local account takes.
    let elsewhere = Locked<(any RemoteAccounts)?>(nil)
    /// Writes to tasks other instances run (cancel), when several instances share the store.
    let sharedWrites = Locked<(any SharedTaskWrites)?>(nil)

    /// Creates the service.
    public init(registry: TaskRegistry, pool: AccountPool, locale: TextLocale = .en, prompts: PromptPolicy = PromptPolicy(), logger: Logger) {
        self.registry = registry
        self.pool = pool
        self.locale = locale
        self.promptsBox = Locked(prompts)
        self.logger = logger
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String { Texts.text(key, locale, values) }

    /// Lets submissions go to accounts other instances hold when no local account takes them.
    public func placeElsewhere(using remote: any RemoteAccounts, writes: (any SharedTaskWrites)? = nil) {
        elsewhere.withLock { $0 = remote }
        sharedWrites.withLock { $0 = writes }
    }

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
            for mode in SpeedMode.allCases where PromptScan.containsFlag(prompt, mode.flag) {
                return (mode, true)
            }
        }
        return (nil, false)
    }

    /// `prompt` with every speed flag removed and `mode`'s flag appended.
    static func applyMode(_ mode: SpeedMode, to prompt: String) -> String {
        var p = prompt
        for m in SpeedMode.allCases { p = PromptScan.removingFlag(p, m.flag) }
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
            logger.error("task creation failed", metadata: task.logMetadata(["error": "\(error)"]))
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
        return await place(task, request: Eligibility.Request(botType: common.botType, filter: common.filter, modes: modes)) { t, account, chosen in
            let (text, mode) = Self.prompt(promptEn, for: account, mode: chosen, fromPrompt: fromPrompt)
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

}

extension Optional {
    /// `flatMap` with an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async -> U?) async -> U? {
        guard let self else { return nil }
        return await transform(self)
    }
}
