import DiscordKit
import Foundation

/// A frame for one gateway connection's writer.
enum OutboundGatewayFrame: Sendable {
    case json(String)
    case close(code: UInt16, reason: String)
}

/// A sandbox user: any non-empty token is one.
public struct SandboxUser: Sendable, Equatable {
    public var id: String
    public var username: String
    var token: String

    /// The Discord user object of this user.
    public var discordUser: DiscordUser {
        DiscordUser(id: id, username: username, discriminator: "0", global_name: username.capitalized, avatar: nil, bot: false)
    }
}

/// A stored file served by the sandbox CDN.
struct StoredFile: Sendable {
    var bytes: [UInt8]
    var contentType: String
}

/// Fault injections a test can arm for a user (consumed by the next matching job).
public enum SandboxFault: String, Sendable, CaseIterable {
    case queueFull = "queue-full"
    case actionNeeded = "action-needed"
    case creditsExhausted = "credits-exhausted"
    case bannedPrompt = "banned-prompt"
    case invalidParameter = "invalid-parameter"
    /// The bot never answers; Discord then sends INTERACTION_FAILURE (reason 2).
    case interactionTimeout = "interaction-timeout"
    /// The bot accepts the interaction and then never says anything (the proxy's inactivity timeout).
    case noAnswer = "no-answer"
    /// The next `POST /interactions` answers 429 once.
    case rateLimit = "rate-limit"
    /// The next job answers `Pending mod message` (a temporary block with "Acknowledge").
    case pendingMod = "pending-mod"
    /// The next job answers `Blocked`.
    case blocked = "blocked"
    /// The next job answers `Tos not accepted` with an "Accept ToS" button; pressing it runs the job.
    case tosPrompt = "tos"
    /// The next job opens Midjourney's iframe captcha (`Action required to continue`, path under `/captcha/`).
    case captcha = "captcha"
    /// The next job answers the image captcha embed (`Action needed to continue`, "verify you're human").
    case imageCaptcha = "image-captcha"
}

/// Lasting conditions of a user (set and cleared by tests), unlike the one-shot faults.
public enum SandboxCondition: String, Sendable, CaseIterable {
    /// The token is dead: REST answers 401, IDENTIFY closes 4004, live connections are closed with 4004.
    case revokedToken = "revoked-token"
    /// Every gateway IDENTIFY or RESUME of the user is dropped before READY (close 1011).
    case refuseConnect = "refuse-connect"
    /// The command versions changed: the old ones answer 400 until the index is read again.
    case staleCommands = "stale-commands"
    /// The bots answer this user's interactions several seconds late.
    case slowBot = "slow-bot"
    /// Every `POST /interactions` answers 429.
    case rateLimitStorm = "rate-limit-storm"
}

/// The whole simulated Discord state: users, sessions, channels, messages, files.
public actor SandboxWorld {
    /// One gateway session (survives its socket for RESUME).
    final class Session {
        let id: String
        let userId: String
        var seq = 0
        /// Dispatches kept for RESUME (bounded by `Limits.replayFrames` / `Limits.replayBytes`).
        var buffer: [(Int, String)] = []
        var bufferBytes = 0
        /// The newest seq trimmed from `buffer`: a RESUME from before it cannot be replayed.
        var trimmedThrough = 0
        var connection: AsyncStream<OutboundGatewayFrame>.Continuation?
        var connectionId: Int?

        init(id: String, userId: String) {
            self.id = id
            self.userId = userId
        }
    }

    /// Bounds of the simulated state: past them the oldest entries are evicted, so no client can grow
    /// the sandbox's memory without limit (tokens, sessions, uploads, files, DM channels, faults).
    enum Limits {
        static let users = 10_000
        static let sessions = 2_000
        static let pendingUploads = 500
        static let pendingUploadBytes = 256 << 20
        static let files = 2_000
        static let fileBytes = 512 << 20
        static let dmChannels = 10_000
        static let faultsPerUser = 100
        static let messagesPerChannel = 500
        /// Dispatches a session keeps for RESUME, in number and in bytes.
        static let replayFrames = 1000
        static let replayBytes = 1 << 20
    }

    let configuration: SandboxConfiguration
    /// Private channels → the one user who sees them (empty unless `privateChannels`).
    let channelOwners: [String: String]
    private(set) var baseURL: String
    /// The gateway's URL (`ws://host:gatewayPort`), announced by GET /gateway and READY.
    private(set) var gatewayURL: String
    var users: [String: SandboxUser] = [:]  // by id
    var sessions: [String: Session] = [:]
    /// Session ids per user id (a dispatch to one user's sessions must not scan a thousand sessions).
    var sessionsByUser: [String: [String]] = [:]
    var messages: [String: [Message]] = [:]  // by channel, oldest first
    var files: [String: StoredFile] = [:]  // CDN path → bytes
    var fileOrder: [String] = []
    var fileBytes = 0
    var pendingUploads: [String: StoredFile?] = [:]  // upload_filename → bytes once PUT
    var uploadOrder: [String] = []
    var pendingUploadBytes = 0
    var sessionOrder: [String] = []
    private var dmOrder: [String] = []  // "user:bot" keys, oldest first
    private var dmChannels: [String: String] = [:]  // "user:bot" → channel id
    var dmOwners: [String: (user: String, bot: String)] = [:]
    private var counter: Int64 = 0
    var connectionCounter = 0
    private var faults: [String: [SandboxFault]] = [:]
    private var conditions: [String: Set<SandboxCondition>] = [:]
    /// Command version epoch per user (bumped by `staleCommands`): versions served and expected are shifted by it.
    private var commandEpochs: [String: Int64] = [:]
    /// Fast jobs left per user; nil = plenty (never exhausted).
    private var fastJobsLeft: [String: Int] = [:]
    /// Counters tests read: identifies, resumes, interactions received.
    public internal(set) var stats = SandboxStats()

    /// Observable counters.
    public struct SandboxStats: Sendable {
        public var identifies = 0
        public var resumes = 0
        public var interactions = 0
        public var closedByFault = 0
        /// POSTs to the activity's submit-job (Vary Region), including refused ones (a captcha token).
        public var activityPosts = 0
        /// Interactions refused for a stale command version.
        public var staleRefusals = 0
        /// Application-command index reads.
        public var indexReads = 0
    }

    init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        self.channelOwners = Self.owners(of: configuration)
        self.baseURL = configuration.publicBaseURL ?? "http://\(configuration.host):\(configuration.port)"
        self.gatewayURL = "ws://\(configuration.host):\(configuration.gatewayPort)"
    }

    func setBaseURL(_ url: String) { if configuration.publicBaseURL == nil { baseURL = url } }
    func setGatewayURL(_ url: String) { gatewayURL = url }

    // MARK: ids and users

    /// A fresh snowflake for "now".
    func snowflake() -> String {
        counter += 1
        return Snowflake.make(milliseconds: Int64(Date().timeIntervalSince1970 * 1000), increment: counter)
    }

    /// The user a token stands for, or nil for a rejected token.
    func user(forToken rawToken: String) -> SandboxUser? {
        var token = rawToken
        if token.hasPrefix("Bot ") { token = String(token.dropFirst(4)) }
        guard !SandboxIDs.isRejectedToken(token) else { return nil }
        let id = Self.userId(forToken: token)
        if conditions[id]?.contains(.revokedToken) == true { return nil }
        if let existing = users[id] { return existing }
        let user = SandboxUser(id: id, username: "user\(id.suffix(4))", token: token)
        if users.count >= Limits.users {
            // Users are derived from their token, so the map is only a cache: forget those without a session.
            let live = Set(sessions.values.map(\.userId))
            users = users.filter { live.contains($0.key) }
        }
        users[id] = user
        return user
    }

    func user(id: String) -> SandboxUser? { users[id] }

    /// The user id a token stands for (stable: derived from the token).
    static func userId(forToken rawToken: String) -> String {
        let token = rawToken.hasPrefix("Bot ") ? String(rawToken.dropFirst(4)) : rawToken
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in token.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(1_180_000_000_000_000_000 + Int64(hash % 100_000_000_000_000_000))
    }

    /// Whether `channelId` is a guild text channel.
    func isGuildChannel(_ channelId: String) -> Bool {
        guard let n = Int64(channelId) else { return false }
        let first = Int64(SandboxIDs.channelId(1))!
        return n >= first && n < first + Int64(configuration.channelCount)
    }

    /// Whether `user` may use `channelId`: `.unknown` for no such channel (or another user's DM),
    /// `.hidden` for a private channel of another user.
    func access(userId: String, channelId: String) -> ChannelAccess {
        if dmOwners[channelId]?.user == userId { return .allowed }
        guard isGuildChannel(channelId) else { return .unknown }
        if let owner = channelOwners[channelId], owner != userId { return .hidden }
        return .allowed
    }

    /// The DM channel between a user and a bot, created on first use.
    func dmChannel(userId: String, botId: String) -> String {
        let key = "\(userId):\(botId)"
        if let id = dmChannels[key] { return id }
        let id = snowflake()
        dmChannels[key] = id
        dmOwners[id] = (userId, botId)
        dmOrder.append(key)
        if dmOrder.count > Limits.dmChannels {
            let oldest = dmOrder.removeFirst()
            if let channel = dmChannels.removeValue(forKey: oldest) {
                dmOwners[channel] = nil
                messages[channel] = nil
            }
        }
        return id
    }

    /// The owner of a DM channel.
    func dmOwner(_ channelId: String) -> (user: String, bot: String)? { dmOwners[channelId] }

    // MARK: faults

    /// Arms a fault for a user's next matching action.
    public func arm(_ fault: SandboxFault, forToken token: String) {
        guard let user = user(forToken: token) else { return }
        guard faults[user.id, default: []].count < Limits.faultsPerUser else { return }
        faults[user.id, default: []].append(fault)
    }

    /// Consumes an armed fault of one of `kinds`, if any.
    func takeFault(userId: String, among kinds: Set<SandboxFault>) -> SandboxFault? {
        guard var list = faults[userId], let index = list.firstIndex(where: { kinds.contains($0) }) else { return nil }
        let fault = list.remove(at: index)
        faults[userId] = list
        return fault
    }

    func countInteraction() { stats.interactions += 1 }
    func countActivityPost() { stats.activityPosts += 1 }
    func countStaleRefusal() { stats.staleRefusals += 1 }

    // MARK: lasting conditions

    /// Sets or clears a lasting condition of the token's user. Revoking a token also closes its live
    /// connections with 4004; stale commands shift the user's command versions (until read again).
    public func setCondition(_ condition: SandboxCondition, _ on: Bool = true, forToken token: String) {
        let id = Self.userId(forToken: token)
        if on {
            conditions[id, default: []].insert(condition)
        } else {
            conditions[id]?.remove(condition)
        }
        switch condition {
        case .revokedToken where on:
            for session in sessions.values where session.userId == id {
                session.connection?.yield(.close(code: 4004, reason: "Authentication failed."))
                stats.closedByFault += 1
            }
        case .staleCommands where on:
            commandEpochs[id, default: 0] += 1
        default: break
        }
    }

    /// Whether the user has a lasting condition.
    func has(_ condition: SandboxCondition, userId: String) -> Bool { conditions[userId]?.contains(condition) == true }

    /// Whether the token's user has a lasting condition (tokens of revoked users included).
    func has(_ condition: SandboxCondition, token: String) -> Bool { has(condition, userId: Self.userId(forToken: token)) }

    /// The user's command version epoch (0 = the catalog's versions).
    func commandEpoch(userId: String) -> Int64 { commandEpochs[userId] ?? 0 }

    /// Counts an index read.
    func countIndexRead() { stats.indexReads += 1 }

    /// Limits the user's fast jobs: after `jobs` more fast/turbo jobs, fast time is used up
    /// (`Credits exhausted`, `/info` shows 0). nil refills it (plenty again).
    public func setFastJobs(_ jobs: Int?, forToken token: String) {
        let id = Self.userId(forToken: token)
        fastJobsLeft[id] = jobs.map { max(0, $0) }
    }

    /// Fast jobs left (nil = plenty).
    func fastJobs(userId: String) -> Int? { fastJobsLeft[userId] }

    /// Uses one fast job; false when none is left.
    func consumeFastJob(userId: String) -> Bool {
        guard let left = fastJobsLeft[userId] else { return true }
        guard left > 0 else { return false }
        fastJobsLeft[userId] = left - 1
        return true
    }
}
