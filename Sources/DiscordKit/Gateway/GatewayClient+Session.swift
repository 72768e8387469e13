import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket

extension GatewayClient {
    /// Opens one socket and serves it; returns what to do next.
    func connectOnce(
        base: String, resume: Bool, record: ConnectionRecord, deliver: @escaping @Sendable (Delivery) -> Bool
    ) async throws -> Next {
        let url = base.hasSuffix("/") ? base + configuration.query : base + "/" + configuration.query
        var headers = HTTPFields()
        headers[.userAgent] = configuration.userAgent
        headers[.cacheControl] = "no-cache"
        headers[.acceptLanguage] = "en-US,en;q=0.9"
        let outcome = Locked<Next?>(nil)
        let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in
            let next = try await self.session(inbound: inbound, outbound: outbound, resume: resume, record: record, deliver: deliver)
            outcome.withLock { $0 = next }
        }
        let wsConfiguration = WebSocketClientConfiguration(maxFrameSize: 1 << 24, additionalHeaders: headers)
        let closeFrame: WebSocketCloseFrame?
        if let proxy = configuration.proxy {
            closeFrame = try await WebSocketClient.connect(
                url: url, configuration: wsConfiguration, proxySettings: proxy.webSocketProxy, logger: logger, handler: handler)
        } else {
            closeFrame = try await WebSocketClient.connect(url: url, configuration: wsConfiguration, logger: logger, handler: handler)
        }
        if let decided = outcome.value { return decided }
        if let frame = closeFrame {
            let code = Int(UInt16(webSocketErrorCode: frame.closeCode))
            let reason = frame.reason ?? ""
            logger.info("gateway closed by server", metadata: ["code": "\(code)", "reason": "\(reason)"])
            if fatalGatewayCloseCodes.contains(code) {
                return .fatal(code, closeCodeMeaning(code) + (reason.isEmpty ? "" : " — \(reason)"))
            }
            if code == 4007 || code == 4009 || code == 1000 || code == 1001 { return .identify }
        }
        return .resume
    }

    /// Reads one open socket. Heartbeats run in a child task; dispatches are handed to `deliver`
    /// (never awaited here). Returns what to do next when the client itself decides to leave.
    private func session(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, resume: Bool, record: ConnectionRecord,
        deliver: @escaping @Sendable (Delivery) -> Bool
    ) async throws -> Next? {
        let inflater = configuration.compress ? try ZlibStreamInflater() : nil
        let acked = Locked(true)
        return try await withThrowingTaskGroup(of: Next?.self) { group in
            var decided: Next?
            var heartbeatStarted = false
            for try await message in inbound.messages(maxSize: 1 << 26) {
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer):
                    if let inflater {
                        guard let inflated = try inflater.feed(buffer.readableBytesView) else { continue }
                        bytes = inflated
                    } else {
                        bytes = Array(buffer.readableBytesView)
                    }
                }
                // The header is read, `d` only located: each dispatch reads what it needs of it.
                let frame = try GatewayFrame(bytes)
                let header = frame.header
                switch header.op {
                case GatewayOpcode.hello.rawValue:
                    let hello = try frame.decodedPayload(HelloData.self)
                    let interval = Duration.milliseconds(max(1, hello?.heartbeat_interval ?? 41250))
                    if !heartbeatStarted {
                        heartbeatStarted = true
                        group.addTask { try await self.heartbeatLoop(interval: interval, acked: acked, outbound: outbound) }
                    }
                    try await sendIdentifyOrResume(resume: resume, outbound: outbound)
                case GatewayOpcode.heartbeatAck.rawValue:
                    acked.withLock { $0 = true }
                    record.box.withLock { $0.acks += 1 }
                    state.withLock { $0.acknowledgedHeartbeats += 1 }
                case GatewayOpcode.heartbeat.rawValue:
                    try await sendHeartbeat(outbound)
                case GatewayOpcode.reconnect.rawValue:
                    logger.info("gateway asked to reconnect (op 7)")
                    decided = .resume
                case GatewayOpcode.invalidSession.rawValue:
                    let resumable = (try? frame.decodedPayload(Bool.self)) ?? false
                    logger.info("gateway invalid session", metadata: ["resumable": "\(resumable)"])
                    record.box.withLock { $0.invalidSession = true }
                    decided = resumable ? .resume : .identify
                case GatewayOpcode.dispatch.rawValue:
                    decided = dispatch(frame, record: record, deliver: deliver)
                default:
                    break
                }
                if let decided {
                    // Close with a non-1000 code so the session stays resumable on Discord's side.
                    try? await outbound.close(.unknown(4000), reason: "reconnecting")
                    group.cancelAll()
                    return decided
                }
            }
            group.cancelAll()
            while let result = try? await group.next() {
                if let r = result { return r }
            }
            return nil
        }
    }

    /// Decodes a dispatch and hands it on. The sequence advances only for dispatches that were
    /// taken by the buffer; when it is full the connection is resumed from the last taken one.
    private func dispatch(_ frame: GatewayFrame, record: ConnectionRecord, deliver: @escaping @Sendable (Delivery) -> Bool) -> Next? {
        let header = frame.header
        guard let name = header.t else {
            if let s = header.s { state.withLock { $0.sequence = s } }
            return nil
        }
        if let wanted = configuration.channelFilter, name.hasPrefix("MESSAGE_"), ChannelPrefilter.skips(frame.payloadBytes, wanted: wanted) {
            if let s = header.s { state.withLock { $0.sequence = s } }
            return nil
        }
        let event: GatewayEvent
        do {
            event = try GatewayEvent.decode(name: name, frame: frame)
        } catch {
            logger.warning("undecodable dispatch", metadata: ["event": "\(name)", "error": "\(error)"])
            if let s = header.s { state.withLock { $0.sequence = s } }
            return nil
        }
        var status: GatewayStatus?
        switch event {
        case .ready(let ready):
            state.withLock {
                $0.sessionId = ready.session_id
                $0.resumeURL = ready.resume_gateway_url
                $0.userId = ready.user.id
                $0.connected = true
            }
            status = .connected(sessionId: ready.session_id, resumed: false)
        case .resumed:
            let sessionId = state.withLock {
                $0.connected = true
                return $0.sessionId
            }
            status = .connected(sessionId: sessionId ?? "", resumed: true)
        default: break
        }
        if status != nil { record.box.withLock { $0.establishedAt = $0.establishedAt ?? timer.elapsed() } }
        if let status, !deliver(.status(status)) { return overflowed(name) }
        guard deliver(.event(event)) else { return overflowed(name) }
        if let s = header.s { state.withLock { $0.sequence = s } }
        return nil
    }

    private func overflowed(_ name: String) -> Next {
        logger.warning(
            "gateway event buffer full; resuming so Discord replays", metadata: ["event": "\(name)", "buffer": "\(configuration.eventBufferSize)"])
        return .resume
    }

    /// First beat after interval × jitter, then every interval; a beat without the previous ACK
    /// means a zombie connection: close so the caller resumes.
    private func heartbeatLoop(interval: Duration, acked: Locked<Bool>, outbound: WebSocketOutboundWriter) async throws -> Next? {
        try await timer.sleep(interval * Double.random(in: 0.05...1.0))
        while !Task.isCancelled {
            let wasAcked = acked.withLock { a in
                let v = a
                a = false
                return v
            }
            if !wasAcked {
                logger.warning("gateway heartbeat not acknowledged; reconnecting")
                try? await outbound.close(.unknown(4000), reason: "zombie connection")
                return .resume
            }
            try await sendHeartbeat(outbound)
            try await timer.sleep(interval)
        }
        return nil
    }

    private func sendHeartbeat(_ outbound: WebSocketOutboundWriter) async throws {
        let seq = state.withLock { $0.sequence }
        try await outbound.write(.text(try DiscordJSON.encodeString(GatewayCommand<Int>(op: 1, d: seq))))
    }

    private func sendIdentifyOrResume(resume: Bool, outbound: WebSocketOutboundWriter) async throws {
        let current = state.value
        let text: String
        if resume, let sessionId = current.sessionId {
            text = try DiscordJSON.encodeString(
                GatewayCommand(op: 6, d: ResumeData(token: configuration.token, session_id: sessionId, seq: current.sequence)))
        } else {
            text = try DiscordJSON.encodeString(
                GatewayCommand(op: 2, d: IdentifyData(token: configuration.token, properties: ClientProperties(userAgent: configuration.userAgent))))
        }
        try await outbound.write(.text(text))
    }
}
