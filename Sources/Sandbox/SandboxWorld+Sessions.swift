import DiscordKit
import Foundation

/// Gateway sessions of the sandbox: IDENTIFY, RESUME with replay, dispatch to the sessions that see a
/// channel, and the fault injections that act on live connections.
extension SandboxWorld {
    /// Opens a new session for `user` on a connection; returns the session id.
    func identify(userId: String, connection: AsyncStream<OutboundGatewayFrame>.Continuation) -> (String, Int) {
        stats.identifies += 1
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let session = Session(id: id, userId: userId)
        connectionCounter += 1
        session.connection = connection
        session.connectionId = connectionCounter
        sessions[id] = session
        sessionsByUser[userId, default: []].append(id)
        sessionOrder.append(id)
        if sessionOrder.count > Limits.sessions {
            // Forget the oldest sessions that have no live connection (they can no longer be resumed).
            var excess = sessionOrder.count - Limits.sessions
            var kept: [String] = []
            for sid in sessionOrder {
                if excess > 0, let s = sessions[sid], s.connection == nil {
                    sessions[sid] = nil
                    sessionsByUser[s.userId]?.removeAll { $0 == sid }
                    if sessionsByUser[s.userId]?.isEmpty == true { sessionsByUser[s.userId] = nil }
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
            for sid in sessionsByUser[only] ?? [] { send(name, data: json, to: sid) }
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
    func sessions(ofUser userId: String) -> [String] { sessionsByUser[userId] ?? [] }

    /// Whether a session id is live for a user.
    func hasSession(_ id: String, userId: String) -> Bool { sessions[id]?.userId == userId }

    /// Fault injection: closes every live connection of the token's user with `code` (4000 → clients resume).
    public func dropConnections(token: String, code: UInt16 = 4000, reason: String = "sandbox fault") -> Int {
        guard let user = user(forToken: token) else { return 0 }
        var n = 0
        for session in (sessionsByUser[user.id] ?? []).compactMap({ sessions[$0] }) {
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
        for session in (sessionsByUser[user.id] ?? []).compactMap({ sessions[$0] }) {
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
