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
    private var users: [String: SandboxUser] = [:]  // by id
    private var sessions: [String: Session] = [:]
    private var messages: [String: [Message]] = [:]  // by channel, oldest first
    private var files: [String: StoredFile] = [:]  // CDN path → bytes
    private var fileOrder: [String] = []
    private var fileBytes = 0
    private var pendingUploads: [String: StoredFile?] = [:]  // upload_filename → bytes once PUT
    private var uploadOrder: [String] = []
    private var pendingUploadBytes = 0
    private var sessionOrder: [String] = []
    private var dmOrder: [String] = []  // "user:bot" keys, oldest first
    private var dmChannels: [String: String] = [:]  // "user:bot" → channel id
    private var dmOwners: [String: (user: String, bot: String)] = [:]
    private var counter: Int64 = 0
    private var connectionCounter = 0
    private var faults: [String: [SandboxFault]] = [:]
    private var conditions: [String: Set<SandboxCondition>] = [:]
    /// Command version epoch per user (bumped by `staleCommands`): versions served and expected are shifted by it.
    private var commandEpochs: [String: Int64] = [:]
    /// Fast jobs left per user; nil = plenty (never exhausted).
    private var fastJobsLeft: [String: Int] = [:]
    /// Counters tests read: identifies, resumes, interactions received.
    public private(set) var stats = SandboxStats()

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

    // MARK: messages and files

    /// Stores a new message and dispatches MESSAGE_CREATE to whoever sees the channel.
    func create(_ message: Message, onlySession: String? = nil) {
        // Ephemeral messages are kept too (their buttons can be pressed) but never listed.
        var list = messages.removeValue(forKey: message.channel_id) ?? []
        list.append(message)
        if list.count > Limits.messagesPerChannel { list.removeFirst(list.count - Limits.messagesPerChannel + 100) }
        messages[message.channel_id] = list
        dispatch("MESSAGE_CREATE", message, channelId: message.channel_id, onlySession: onlySession)
    }

    /// Replaces a stored message and dispatches MESSAGE_UPDATE.
    func update(_ message: Message, onlySession: String? = nil) {
        if var list = messages[message.channel_id], let i = list.firstIndex(where: { $0.id == message.id }) {
            list[i] = message
            messages[message.channel_id] = list
        }
        dispatch("MESSAGE_UPDATE", message, channelId: message.channel_id, onlySession: onlySession)
    }

    /// Deletes a message and dispatches MESSAGE_DELETE.
    func delete(messageId: String, channelId: String) {
        messages[channelId]?.removeAll { $0.id == messageId }
        let guildId = isGuildChannel(channelId) ? SandboxIDs.guildId : nil
        dispatch("MESSAGE_DELETE", MessageDelete(id: messageId, channel_id: channelId, guild_id: guildId), channelId: channelId)
    }

    /// A stored message.
    func message(id: String, channelId: String) -> Message? { messages[channelId]?.first { $0.id == id } }

    /// Newest-first messages of a channel.
    func recentMessages(channelId: String, limit: Int, before: String?, after: String? = nil) -> [Message] {
        var list = Array((messages[channelId] ?? []).reversed()).filter { ($0.flags ?? 0) & 64 == 0 }
        if let before, let b = Int64(before) { list = list.filter { (Int64($0.id) ?? 0) < b } }
        if let after, let a = Int64(after) {
            // Like Discord: the `limit` messages right after `after`, still listed newest first.
            return Array(list.filter { (Int64($0.id) ?? 0) > a }.suffix(limit))
        }
        return Array(list.prefix(limit))
    }

    /// The bytes behind a CDN URL of this sandbox (for the bots reading images they were given by link).
    func file(url: String) -> StoredFile? {
        guard url.hasPrefix(baseURL) else { return nil }
        let path = String(url.dropFirst(baseURL.count).split(separator: "?", maxSplits: 1).first ?? "")
        return files[path]
    }

    /// Stores bytes on the CDN and returns the attachment object (URLs signed like Discord's).
    func storeAttachment(
        channelId: String, filename: String, bytes: [UInt8], contentType: String, width: Int?, height: Int?, ephemeral: Bool = false
    ) -> Attachment {
        let id = snowflake()
        let prefix = ephemeral ? "ephemeral-attachments" : "attachments"
        let path = "/\(prefix)/\(channelId)/\(id)/\(filename)"
        files[path] = StoredFile(bytes: bytes, contentType: contentType)
        fileOrder.append(path)
        fileBytes += bytes.count
        while fileOrder.count > 1, fileOrder.count > Limits.files || fileBytes > Limits.fileBytes {
            if let evicted = files.removeValue(forKey: fileOrder.removeFirst()) { fileBytes -= evicted.bytes.count }
        }
        let now = Int(Date().timeIntervalSince1970)
        let sig =
            "?ex=" + TextFormat.hex(UInt64(max(0, now + 14 * 86400)), width: 8) + "&is=" + TextFormat.hex(UInt64(max(0, now)), width: 8) + "&hm="
            + TextFormat.hex(UInt64(bitPattern: Int64(id.hashValue)), width: 16) + "&"
        return Attachment(
            id: id, filename: filename, size: bytes.count, url: baseURL + path + sig, proxy_url: baseURL + path + sig,
            width: width, height: height, content_type: contentType, ephemeral: ephemeral ? true : nil)
    }

    /// A CDN file by path.
    func file(path: String) -> StoredFile? { files[path] }

    /// Forgets every CDN file, as Discord's links do when they expire: their URLs answer 404 from now on.
    /// Returns how many files were dropped.
    @discardableResult
    public func expireCDNFiles() -> Int {
        let n = files.count
        files.removeAll()
        fileOrder.removeAll()
        fileBytes = 0
        return n
    }

    /// Step 1 of the upload flow: reserves an upload slot.
    func reserveUpload(filename: String) -> (uploadURL: String, uploadFilename: String) {
        let name = UUID().uuidString.lowercased() + "/" + String(filename.prefix(256))
        pendingUploads[name] = .some(nil)
        uploadOrder.append(name)
        evictUploads()
        return (baseURL + "/upload/" + name + "?upload_id=" + snowflake(), name)
    }

    /// Step 2: the bytes PUT to the slot.
    func completeUpload(uploadFilename: String, bytes: [UInt8], contentType: String) -> Bool {
        guard let slot = pendingUploads[uploadFilename] else { return false }
        pendingUploadBytes += bytes.count - (slot?.bytes.count ?? 0)
        pendingUploads[uploadFilename] = StoredFile(bytes: bytes, contentType: contentType)
        evictUploads()
        return pendingUploads[uploadFilename] != nil
    }

    /// Step 3: takes an uploaded file for use in a message or interaction.
    func takeUpload(_ uploadFilename: String) -> StoredFile? {
        guard let entry = pendingUploads[uploadFilename], let file = entry else { return nil }
        pendingUploads[uploadFilename] = nil
        pendingUploadBytes -= file.bytes.count
        uploadOrder.removeAll { $0 == uploadFilename }
        return file
    }

    /// Drops the oldest upload slots while there are too many or they hold too many bytes.
    private func evictUploads() {
        while !uploadOrder.isEmpty, uploadOrder.count > Limits.pendingUploads || pendingUploadBytes > Limits.pendingUploadBytes {
            let oldest = uploadOrder.removeFirst()
            if let slot = pendingUploads.removeValue(forKey: oldest), let file = slot { pendingUploadBytes -= file.bytes.count }
        }
    }

    // MARK: gateway sessions

    /// Opens a new session for `user` on a connection; returns the session id.
    func identify(userId: String, connection: AsyncStream<OutboundGatewayFrame>.Continuation) -> (String, Int) {
        stats.identifies += 1
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let session = Session(id: id, userId: userId)
        connectionCounter += 1
        session.connection = connection
        session.connectionId = connectionCounter
        sessions[id] = session
        sessionOrder.append(id)
        if sessionOrder.count > Limits.sessions {
            // Forget the oldest sessions that have no live connection (they can no longer be resumed).
            var excess = sessionOrder.count - Limits.sessions
            var kept: [String] = []
            for sid in sessionOrder {
                if excess > 0, let s = sessions[sid], s.connection == nil {
                    sessions[sid] = nil
                    excess -= 1
                } else if sessions[sid] != nil {
                    kept.append(sid)
                }
            }
            sessionOrder = kept
        }
        return (id, connectionCounter)
    }

    /// Re-attaches a session and replays what it missed after `seq`. Nil when the session is unknown.
    func resume(sessionId: String, token: String, seq: Int?, connection: AsyncStream<OutboundGatewayFrame>.Continuation)
        -> Int?
    {
        guard let session = sessions[sessionId], let user = user(forToken: token), user.id == session.userId else { return nil }
        // Events the session missed are gone from the replay buffer: invalid session, as Discord answers.
        if (seq ?? 0) < session.trimmedThrough { return nil }
        stats.resumes += 1
        connectionCounter += 1
        session.connection?.yield(.close(code: 4000, reason: "session resumed elsewhere"))
        session.connection = connection
        session.connectionId = connectionCounter
        for (s, frame) in session.buffer where s > (seq ?? 0) { connection.yield(.json(frame)) }
        return connectionCounter
    }

    /// The connection went away; the session stays resumable.
    func detach(sessionId: String, connectionId: Int) {
        guard let session = sessions[sessionId], session.connectionId == connectionId else { return }
        session.connection = nil
        session.connectionId = nil
    }

    /// Sends a dispatch to one session (READY, RESUMED, modal events …).
    func send(_ name: String, data json: String, to sessionId: String) {
        guard let session = sessions[sessionId] else { return }
        session.seq += 1
        let frame = "{\"t\":\"\(name)\",\"s\":\(session.seq),\"op\":0,\"d\":\(json)}"
        // READY and READY_SUPPLEMENTAL are never replayed (a RESUME starts after them); they are also
        // the largest frames (the guild's channel list), so keeping them would cost memory per session.
        if name != "READY" && name != "READY_SUPPLEMENTAL" {
            session.buffer.append((session.seq, frame))
            session.bufferBytes += frame.utf8.count
            var drop = 0
            var dropped = 0
            while session.buffer.count - drop > Limits.replayFrames || session.bufferBytes - dropped > Limits.replayBytes, drop < session.buffer.count {
                dropped += session.buffer[drop].1.utf8.count
                drop += 1
            }
            if drop > 0 {
                // Trimmed in steps of at least a quarter, so trimming stays cheap per frame.
                drop = min(session.buffer.count, max(drop, session.buffer.count / 4))
                session.trimmedThrough = session.buffer[drop - 1].0
                session.buffer.removeFirst(drop)
                session.bufferBytes = session.buffer.reduce(0) { $0 + $1.1.utf8.count }
            }
        }
        session.connection?.yield(.json(frame))
    }

    /// Sends a dispatch to one session.
    func send(_ name: String, _ payload: some Encodable, to sessionId: String) {
        guard let json = try? DiscordJSON.encodeString(payload) else { return }
        send(name, data: json, to: sessionId)
    }

    /// Dispatches to every session that sees `channelId` (all users for guild channels, the owner for DMs
    /// and private channels),
    /// or only to `onlySession` (ephemeral answers).
    func dispatch(_ name: String, _ payload: some Encodable, channelId: String, onlySession: String? = nil) {
        guard let json = try? DiscordJSON.encodeString(payload) else { return }
        if let onlySession {
            send(name, data: json, to: onlySession)
            return
        }
        if let only = dmOwners[channelId]?.user ?? channelOwners[channelId] {
            for session in sessions.values where session.userId == only { send(name, data: json, to: session.id) }
            return
        }
        for session in sessions.values { send(name, data: json, to: session.id) }
    }

    /// The session's own user and the bots (the sandbox guild's visible members).
    func memberUsers(sessionId: String) -> [DiscordUser] {
        var list = SandboxReady.bots()
        if let s = sessions[sessionId], let u = users[s.userId] { list.insert(u.discordUser, at: 0) }
        return list
    }

    /// Sessions of a user (for ephemeral answers when the request named no live session).
    func sessions(ofUser userId: String) -> [String] { sessions.values.filter { $0.userId == userId }.map(\.id) }

    /// Whether a session id is live for a user.
    func hasSession(_ id: String, userId: String) -> Bool { sessions[id]?.userId == userId }

    /// Fault injection: closes every live connection of the token's user with `code` (4000 → clients resume).
    public func dropConnections(token: String, code: UInt16 = 4000, reason: String = "sandbox fault") -> Int {
        guard let user = user(forToken: token) else { return 0 }
        var n = 0
        for session in sessions.values where session.userId == user.id {
            if let c = session.connection {
                c.yield(.close(code: code, reason: reason))
                n += 1
            }
        }
        stats.closedByFault += n
        return n
    }

    /// Fault injection: sends a raw op (7 reconnect, 9 invalid session) to the user's live connections.
    public func sendOp(token: String, op: Int, d: String = "null") -> Int {
        guard let user = user(forToken: token) else { return 0 }
        var n = 0
        for session in sessions.values where session.userId == user.id {
            session.connection?.yield(.json("{\"t\":null,\"s\":null,\"op\":\(op),\"d\":\(d)}"))
            n += 1
        }
        return n
    }

    /// Ends all sessions (used when the server stops).
    func closeAll() {
        for session in sessions.values { session.connection?.finish() }
    }
}
