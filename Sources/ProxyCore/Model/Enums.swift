// ProxyCore: the Midjourney task domain — tasks, their lifecycle, the account pool and scheduler,
// the Midjourney message grammar and webhooks. No HTTP server and no sockets of its own: it drives
// Discord through DiscordKit and persists through the `TaskStore` protocol.

/// Task status (contract §8.2).
public enum TaskStatus: String, Codable, Sendable, CaseIterable {
    case notStart = "NOT_START"
    case submitted = "SUBMITTED"
    case modal = "MODAL"
    case inProgress = "IN_PROGRESS"
    case failure = "FAILURE"
    case success = "SUCCESS"
    case cancel = "CANCEL"

    /// Finished tasks never change again.
    public var isFinished: Bool { self == .success || self == .failure || self == .cancel }
}

/// Task action (contract §8.4).
public enum TaskAction: String, Codable, Sendable, CaseIterable {
    case imagine = "IMAGINE"
    case upscale = "UPSCALE"
    case variation = "VARIATION"
    case lowVariation = "LOW_VARIATION"
    case highVariation = "HIGH_VARIATION"
    case reroll = "REROLL"
    case pan = "PAN"
    case zoom = "ZOOM"
    case customZoom = "CUSTOM_ZOOM"
    case inpaint = "INPAINT"
    case describe = "DESCRIBE"
    case blend = "BLEND"
    case shorten = "SHORTEN"
    case swapFace = "SWAP_FACE"

    /// Actions whose result is a four-image grid (U/V/🔄 buttons).
    public var producesGrid: Bool {
        switch self {
        case .imagine, .blend, .variation, .lowVariation, .highVariation, .reroll, .pan, .zoom, .customZoom, .inpaint: return true
        default: return false
        }
    }
}

/// Which bot a task runs on.
public enum BotType: String, Codable, Sendable, CaseIterable {
    case midJourney = "MID_JOURNEY"
    case nijiJourney = "NIJI_JOURNEY"
    case insightFace = "INSIGHT_FACE"

    /// The bot's application (= bot user) id.
    public var applicationId: String {
        switch self {
        case .midJourney: return "936929561302675456"
        case .nijiJourney: return "1022952195194359889"
        case .insightFace: return "1090660574196674713"
        }
    }

    /// Parses an input botType (names and the aliases `mj`, `niji`), case-insensitively.
    public static func parseInput(_ text: String) -> BotType? {
        switch text.lowercased() {
        case "mid_journey", "mj", "midjourney": return .midJourney
        case "niji_journey", "niji": return .nijiJourney
        default: return nil
        }
    }

    /// The bot type of a Discord application id.
    public init?(applicationId: String) {
        guard let t = BotType.allCases.first(where: { $0.applicationId == applicationId }) else { return nil }
        self = t
    }
}

/// Speed mode (contract §1.7).
public enum SpeedMode: String, Codable, Sendable, CaseIterable {
    case fast = "FAST"
    case relax = "RELAX"
    case turbo = "TURBO"

    /// The prompt flag for this mode.
    public var flag: String {
        switch self {
        case .fast: return "--fast"
        case .relax: return "--relax"
        case .turbo: return "--turbo"
        }
    }

    /// Parses the bot's `(fast)` / `(relaxed)` / `(turbo)` suffix.
    public init?(botSuffix: String) {
        let s = botSuffix.lowercased()
        if s.hasPrefix("fast") { self = .fast } else if s.hasPrefix("relax") { self = .relax } else if s.hasPrefix("turbo") { self = .turbo } else { return nil }
    }
}
