import DiscordKit
import Foundation

/// An image reference waiting to be uploaded to Discord when its task runs.
public struct PendingImage: Codable, Sendable, Equatable {
    public var filename: String
    public var contentType: String
    public var base64: String

    /// Creates a pending image.
    public init(filename: String, contentType: String, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.base64 = Data(bytes).base64EncodedString()
    }

    /// The raw bytes.
    public var bytes: [UInt8] { Array(Data(base64Encoded: base64) ?? Data()) }
}

/// A Midjourney task: the public fields of the contract plus what the proxy needs to drive it.
public struct MJTask: Codable, Sendable, Equatable {
    // Public (contract §8.1)
    public var id: String
    public var action: TaskAction
    public var customId: String?
    public var parentId: String?
    public var botType: BotType
    public var mode: SpeedMode?
    public var status: TaskStatus
    public var prompt: String?
    public var promptEn: String?
    public var description: String?
    public var state: String?
    public var submitTime: Int64
    public var startTime: Int64?
    public var finishTime: Int64?
    public var imageUrl: String?
    public var progress: String
    public var failReason: String
    public var properties: JSONValue
    public var buttons: [TaskButton]

    // Internal
    /// Account the task runs on.
    public var accountId: String?
    /// Speed the client asked for (path prefix / filter / flag).
    public var requestedMode: SpeedMode?
    public var notifyHook: String?
    /// Reference images to upload before the command is sent.
    public var pendingImages: [PendingImage]
    /// Discord message that carries the parent's button (actions).
    public var parentMessageId: String?
    public var parentMessageFlags: Int?
    /// Last Discord activity (ms); the timeout clock.
    public var lastActivity: Int64?
    /// Webhook / SSE sequence of the last change.
    public var sequence: Int64
    /// Store revision: raised by every write, so a store never lets a stale write replace a newer one
    /// (nil in rows written before revisions existed, read as 0).
    public var revision: Int64?
    /// Command inputs that are not prompts: `dimensions`, `link`, `sourceUrl`, `targetUrl`.
    public var inputs: [String: String]?

    /// Creates a new `NOT_START` task.
    public init(id: String, action: TaskAction, botType: BotType, prompt: String?, submitTime: Int64) {
        self.id = id
        self.action = action
        self.customId = nil
        self.parentId = nil
        self.botType = botType
        self.mode = nil
        self.status = .notStart
        self.prompt = prompt
        self.promptEn = prompt
        self.description = nil
        self.state = nil
        self.submitTime = submitTime
        self.startTime = nil
        self.finishTime = nil
        self.imageUrl = nil
        self.progress = "0%"
        self.failReason = ""
        self.properties = [:]
        self.buttons = []
        self.accountId = nil
        self.requestedMode = nil
        self.notifyHook = nil
        self.pendingImages = []
        self.parentMessageId = nil
        self.parentMessageFlags = nil
        self.lastActivity = nil
        self.sequence = 0
        self.inputs = nil
    }

    /// One command input.
    public func input(_ key: String) -> String? { inputs?[key] }

    // MARK: properties map

    /// A string property.
    public func property(_ key: String) -> String? { properties[key]?.stringValue }

    /// Sets (or with nil removes) a property; keys are kept in sorted order.
    public mutating func setProperty(_ key: String, _ value: JSONValue?) {
        guard case .object(var pairs) = properties else {
            properties = value.map { .object([(key, $0)]) } ?? [:]
            return
        }
        // Keys stay sorted, so the JSON is identical whether the task comes from memory or the store.
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            if let value { pairs[i].1 = value } else { pairs.remove(at: i) }
        } else if let value {
            pairs.insert((key, value), at: pairs.firstIndex { $0.0 > key } ?? pairs.count)
        }
        properties = .object(pairs)
    }

    /// Sets a string property (nil removes it).
    public mutating func setProperty(_ key: String, string: String?) { setProperty(key, string.map { .string($0) }) }

    /// The Discord nonce of the command that started the task.
    public var nonce: String? { property("nonce") }
    /// The Midjourney job hash of the result.
    public var messageHash: String? { property("messageHash") }
    /// The Discord message with the result.
    public var messageId: String? { property("messageId") }
    /// The prompt as the bot echoed it.
    public var finalPrompt: String? { property("finalPrompt") }

    // MARK: lifecycle

    /// Ends the task as FAILURE with `reason` (no-op when already finished).
    public mutating func fail(_ reason: String, at now: Int64) {
        guard !status.isFinished else { return }
        status = .failure
        failReason = reason.isEmpty ? "Unknown error" : reason
        finishTime = max(now, startTime ?? submitTime)
    }

    /// Ends the task as SUCCESS.
    public mutating func succeed(at now: Int64) {
        guard !status.isFinished else { return }
        status = .success
        progress = "100%"
        failReason = ""
        finishTime = max(now, startTime ?? submitTime)
    }

    /// Raises progress to `percent` (never decreasing, never 100% before success).
    public mutating func advance(percent: Int) {
        let current = Int(progress.dropLast()) ?? 0
        let clamped = min(99, max(percent, current))
        progress = "\(clamped)%"
    }

    // MARK: API form

    /// The task as the API shows it (every key, contract order).
    public var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("action", .string(action.rawValue)),
            ("customId", .string(orNull: customId)),
            ("parentId", .string(orNull: parentId)),
            ("botType", .string(botType.rawValue)),
            ("mode", .string(orNull: mode?.rawValue)),
            ("status", .string(status.rawValue)),
            ("prompt", .string(orNull: prompt)),
            ("promptEn", .string(orNull: promptEn)),
            ("description", .string(orNull: description)),
            ("state", .string(orNull: state)),
            ("submitTime", .int(submitTime)),
            ("startTime", .int(orNull: startTime)),
            ("finishTime", .int(orNull: finishTime)),
            ("imageUrl", .string(orNull: imageUrl)),
            ("progress", .string(progress)),
            ("failReason", .string(failReason)),
            ("properties", properties),
            ("buttons", .array(buttons.map(\.json))),
        ])
    }
}
