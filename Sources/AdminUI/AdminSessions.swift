/// The admin UI's server-side sessions: a random id (the cookie) → its CSRF token, whether the
/// operator has logged in, a one-shot message for the next page, and when it expires. A session
/// not used for `lifetime` is gone; anonymous ones (a login form shown, nothing more) are capped.
public actor AdminSessions {
    /// One browser's session.
    public struct Session: Sendable {
        /// The token every form of this session carries in a hidden field (checked on each POST).
        public var csrf: String
        /// The operator presented the admin secret (or none is needed).
        public var authenticated: Bool
        /// A message for the next page (the answer of the last action).
        var flash: Flash?
        var expires: ContinuousClock.Instant
        /// Submissions already made, by form token (see `claim`): the created task's id, "" while it runs.
        var submitted: [String: String] = [:]
        /// The keys of `submitted`, oldest first (the map is capped).
        var submittedOrder: [String] = []
    }

    /// What `claim` found for a form's one-time token.
    enum Claim: Sendable, Equatable {
        /// The first time: go on, then `settle`.
        case first
        /// Already sent (a double click, a resent form): the task the first one created, nil while it runs or if it failed.
        case repeated(taskId: String?)
        /// No such session.
        case noSession
    }

    /// A message shown once: the outcome of an action.
    struct Flash: Sendable {
        var ok: Bool
        var text: String
    }

    private var sessions: [String: Session] = [:]
    private let lifetime: Duration
    private let maxSessions: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates an empty store; `now` is injectable so tests can move time.
    public init(lifetime: Duration = .seconds(12 * 3600), maxSessions: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.lifetime = lifetime
        self.maxSessions = maxSessions
        self.now = now
    }

    /// A new session with a fresh id and CSRF token; returns the id.
    public func create(authenticated: Bool) -> String {
        let t = now()
        if sessions.count >= maxSessions {
            sessions = sessions.filter { $0.value.expires > t }
            // Still full: the anonymous ones go first (a flood of login forms cannot log operators out).
            if sessions.count >= maxSessions { sessions = sessions.filter { $0.value.authenticated } }
        }
        let id = Self.randomToken()
        sessions[id] = Session(csrf: Self.randomToken(), authenticated: authenticated, flash: nil, expires: t + lifetime)
        return id
    }

    /// The live session with `id` (its expiry moved forward), or nil.
    public func session(_ id: String) -> Session? {
        guard var s = sessions[id] else { return nil }
        let t = now()
        guard s.expires > t else {
            sessions[id] = nil
            return nil
        }
        s.expires = t + lifetime
        sessions[id] = s
        return s
    }

    /// Ends a session (logout).
    public func remove(_ id: String) { sessions[id] = nil }

    /// Stores the message for the session's next page.
    func setFlash(_ id: String, _ flash: Flash) { sessions[id]?.flash = flash }

    /// The pending message, removed.
    func takeFlash(_ id: String) -> Flash? {
        defer { sessions[id]?.flash = nil }
        return sessions[id]?.flash
    }

    /// Marks the form with one-time token `key` as submitted in session `id`, so the same form sent
    /// again (a double click, a browser resending it) reaches Discord once. The last 200 are kept.
    func claim(_ id: String, key: String) -> Claim {
        guard var s = sessions[id] else { return .noSession }
        if let task = s.submitted[key] { return .repeated(taskId: task.isEmpty ? nil : task) }
        s.submitted[key] = ""
        s.submittedOrder.append(key)
        if s.submittedOrder.count > 200 { s.submitted[s.submittedOrder.removeFirst()] = nil }
        sessions[id] = s
        return .first
    }

    /// Records the task a claimed submission created (nil: it created none; the claim stays, so a resend still goes nowhere).
    func settle(_ id: String, key: String, taskId: String?) {
        guard let taskId, sessions[id]?.submitted[key] != nil else { return }
        sessions[id]?.submitted[key] = taskId
    }

    /// 32 random bytes (the system's cryptographic generator) as 64 hex characters.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        for _ in 0..<32 {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }
}
