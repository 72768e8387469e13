import Foundation

/// What the matcher knows of one running task: enough to tell its bot messages from others'.
public struct TaskFacts: Sendable, Equatable {
    /// How far the task got, as the matcher sees it.
    public enum Phase: Sendable, Equatable {
        /// Holds a slot; its interaction was not sent yet (no bot message can be its own by content).
        case preparing
        /// Its interaction may have been sent (nonce recorded).
        case submitted
        /// A start or progress message was bound to it.
        case inProgress
    }

    public var id: String
    public var action: TaskAction
    public var customId: String?
    /// The prompt as sent (English prompt, else the original).
    public var prompt: String
    /// The prompt as the bot echoed it (from the start or progress line).
    public var finalPrompt: String?
    /// The message whose button started the task.
    public var parentMessageId: String?
    /// Application id of the bot that runs the job.
    public var botApplicationId: String
    /// When the task got its slot or was submitted (ms); ties go to the earliest.
    public var startTime: Int64
    public var phase: Phase
    /// The channel its interaction went to (an account may spread jobs over sub-channels); nil = any.
    public var channelId: String?

    /// Facts of a task.
    public init(
        id: String, action: TaskAction, customId: String? = nil, prompt: String, finalPrompt: String? = nil, parentMessageId: String? = nil,
        botApplicationId: String, startTime: Int64, phase: Phase = .preparing, channelId: String? = nil
    ) {
        self.channelId = channelId
        self.id = id
        self.action = action
        self.customId = customId
        self.prompt = prompt
        self.finalPrompt = finalPrompt
        self.parentMessageId = parentMessageId
        self.botApplicationId = botApplicationId
        self.startTime = startTime
        self.phase = phase
    }

    /// The facts of a stored task.
    public init(_ task: MJTask) {
        let phase: Phase
        switch task.status {
        case .notStart: phase = task.nonce == nil ? .preparing : .submitted
        case .inProgress: phase = .inProgress
        default: phase = .submitted
        }
        self.init(
            id: task.id, action: task.action, customId: task.customId, prompt: task.promptEn ?? task.prompt ?? "", finalPrompt: task.finalPrompt,
            parentMessageId: task.parentMessageId, botApplicationId: task.botType.applicationId, startTime: task.startTime ?? task.submitTime,
            phase: phase, channelId: task.property("discordChannelId"))
    }
}
