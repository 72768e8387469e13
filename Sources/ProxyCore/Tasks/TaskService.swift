import DiscordKit
import Foundation
import Logging

/// The answer to a submission (contract §2): `code`, `description`, `result`, `properties`.
public struct SubmitResult: Sendable, Equatable {
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

/// Submission use cases: validation that needs state (parents, accounts), task creation, enqueueing.
public struct TaskService: Sendable {
    public let registry: TaskRegistry
    public let pool: AccountPool
    public let locale: TextLocale
    let ids = TaskIDGenerator()
    let logger: Logger

    /// Creates the service.
    public init(registry: TaskRegistry, pool: AccountPool, locale: TextLocale = .en, logger: Logger) {
        self.registry = registry
        self.pool = pool
        self.locale = locale
        self.logger = logger
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String { Texts.text(key, locale, values) }

    func validation(_ key: String, _ values: [String: String] = [:]) -> SubmitResult {
        SubmitResult(code: 4, description: text(key, values))
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

    private func choiceError(_ e: AccountChoiceError) -> SubmitResult {
        switch e {
        case .noAccount: return SubmitResult(code: 3, description: text("S5"))
        case .filterMismatch: return validation("V12")
        case .modeUnsupported(let m): return validation("V13", ["mode": m.rawValue])
        }
    }

    /// Creates the task on `account` and answers 1 / 22 / 23 / 9.
    private func enqueue(_ task: MJTask, on account: DiscordAccount) async -> SubmitResult {
        var task = task
        task.accountId = account.config.id
        task.setProperty("discordInstanceId", string: account.config.id)
        task.setProperty("discordChannelId", string: account.config.channelId)
        if let hook = task.notifyHook { task.setProperty("notifyHook", string: hook) }
        let stored = task
        let registry = self.registry
        do {
            let outcome = try await account.enqueue(task.id) { try await registry.create(stored) }
            switch outcome {
            case .queueFull:
                return SubmitResult(code: 23, description: text("S4"))
            case .accepted(let ahead):
                if ahead == 0 {
                    return SubmitResult(code: 1, description: text("S1"), result: task.id, properties: ["discordInstanceId": .string(account.config.id)])
                }
                return SubmitResult(
                    code: 22, description: text("S2", ["n": String(ahead)]), result: task.id,
                    properties: ["numberOfQueues": .int(Int64(ahead)), "discordInstanceId": .string(account.config.id)])
            }
        } catch {
            logger.error("task creation failed", metadata: ["error": "\(error)"])
            return SubmitResult(code: 9, description: text("S3"))
        }
    }

    /// `POST /mj/submit/imagine` after input validation.
    public func imagine(prompt: String, images: [SubmittedImage], common: SubmitCommon) async -> SubmitResult {
        let (mode, fromPrompt) = Self.requestedMode(common: common, prompt: prompt)
        var promptEn = prompt
        if let mode, !fromPrompt { promptEn = Self.applyMode(mode, to: prompt) }
        let account: DiscordAccount
        switch await pool.choose(botType: common.botType, filter: common.filter, mode: mode) {
        case .failure(let e): return choiceError(e)
        case .success(let a): account = a
        }
        let now = nowMillis()
        var task = MJTask(id: ids.next(now: now), action: .imagine, botType: common.botType, prompt: prompt, submitTime: now)
        task.promptEn = promptEn
        task.description = "/imagine \(prompt)"
        task.state = common.state
        task.notifyHook = common.notifyHook
        task.mode = mode
        task.requestedMode = mode
        task.pendingImages = images.enumerated().map { i, img in
            PendingImage(filename: "\(task.id)-\(i).\(img.fileExtension)", contentType: img.contentType, bytes: img.bytes)
        }
        return await enqueue(task, on: account)
    }

    /// `POST /mj/submit/action` after input validation.
    public func action(taskId: String, customId: String, chooseSameChannel: Bool, common: SubmitCommon) async -> SubmitResult {
        let parent: MJTask
        do {
            guard let p = try await registry.task(id: taskId) else { return validation("V18") }
            parent = p
        } catch {
            return SubmitResult(code: 9, description: text("S3"))
        }
        guard parent.status == .success else { return validation("V19") }
        guard let rule = CustomIdRules.action(for: customId) else { return validation("V26", ["id": customId]) }
        guard rule.modal != .always else { return validation("V26", ["id": customId]) }
        let onParent = parent.buttons.contains { $0.customId == customId } || (parent.messageHash.map { customId.contains($0) } ?? false)
        guard onParent else { return validation("V27") }
        guard let parentAccountId = parent.accountId, let account = await pool.account(id: parentAccountId) else {
            return validation("V14", ["id": parent.accountId ?? ""])
        }
        guard account.config.enabled, await account.isAvailable else { return validation("V14", ["id": parentAccountId]) }
        if let filter = common.filter, !filter.admits(account.config, remixOn: false) { return validation("V12") }
        _ = chooseSameChannel  // Tasks stay on the parent's account: its Discord message carries the buttons.
        let now = nowMillis()
        var task = MJTask(id: ids.next(now: now), action: rule.action, botType: parent.botType, prompt: parent.prompt, submitTime: now)
        task.promptEn = parent.promptEn
        task.customId = customId
        task.parentId = parent.id
        task.state = common.state
        task.notifyHook = common.notifyHook
        task.parentMessageId = parent.messageId
        task.parentMessageFlags = parent.properties["flags"]?.intValue.map { Int($0) } ?? 0
        task.description = "/up \(parent.id) \(CustomIdRules.shortName(customId))"
        task.setProperty("finalPrompt", string: parent.finalPrompt)
        return await enqueue(task, on: account)
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
                if task.status == .notStart {
                    await account.requeue(task.id)
                    requeued += 1
                } else if task.status == .submitted || task.status == .inProgress {
                    await account.adopt(task)
                    adopted += 1
                }
            }
            if !tasks.isEmpty { logger.info("recovered unfinished tasks", metadata: ["requeued": "\(requeued)", "running": "\(adopted)"]) }
        } catch {
            logger.error("task recovery failed", metadata: ["error": "\(error)"])
        }
    }
}
