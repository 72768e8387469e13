import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// Where and how one account connects to the gateway.
public struct GatewayConfiguration: Sendable {
    /// Base gateway URL without query, e.g. `wss://gateway.discord.gg` or the sandbox's `ws://127.0.0.1:8081`.
    public var url: String
    public var token: String
    public var userAgent: String
    /// Ask for zlib-stream transport compression (what the web client and the proxies do).
    public var compress: Bool
    public var apiVersion: Int
    /// Upper bound of the reconnect back-off.
    public var maxBackoff: Duration

    /// Creates a configuration.
    public init(
        url: String, token: String, userAgent: String, compress: Bool = true, apiVersion: Int = 9,
        maxBackoff: Duration = .seconds(60)
    ) {
        self.url = url
        self.token = token
        self.userAgent = userAgent
        self.compress = compress
        self.apiVersion = apiVersion
        self.maxBackoff = maxBackoff
    }

    /// The query string every (re)connection uses.
    var query: String { "?encoding=json&v=\(apiVersion)" + (compress ? "&compress=zlib-stream" : "") }
}

/// Connection state changes reported by the gateway client.
public enum GatewayStatus: Sendable, Equatable {
    case connecting
    /// READY or RESUMED received; `resumed` tells which.
    case connected(sessionId: String, resumed: Bool)
    case disconnected(reason: String)
    /// A close code that must not be retried (bad token, …). The client stops.
    case fatal(code: Int, reason: String)
}

/// Close codes after which reconnecting is pointless (Discord docs + user-account codes).
public let fatalGatewayCloseCodes: Set<Int> = [4004, 4010, 4011, 4012, 4013, 4014, 4015, 4016]

/// A user-account gateway connection: HELLO → heartbeat → IDENTIFY/RESUME → dispatches, with
/// zombie detection, op 7 / op 9 handling and resume after any drop.
public final class GatewayClient: Sendable {
    private struct SessionState {
        var sessionId: String?
        var resumeURL: String?
        var sequence: Int?
        var userId: String?
        var connected = false
    }

    /// What to do after a connection ended.
    private enum Next {
        case resume
        case identify
        case fatal(Int, String)
    }

    public let configuration: GatewayConfiguration
    private let logger: Logger
    private let state = Locked(SessionState())

    /// Creates a client; nothing happens until `run`.
    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The live session id (what `/interactions` bodies must carry), once READY arrived.
    public var sessionId: String? { state.withLock { $0.sessionId } }
    /// The account's own user id from READY.
    public var userId: String? { state.withLock { $0.userId } }
    /// True while a session is established.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// Runs until cancelled or a fatal close. Calls `onEvent` for every dispatch (in order, from one task)
    /// and `onStatus` on connection changes.
    public func run(
        onEvent: @escaping @Sendable (GatewayEvent) async -> Void,
        onStatus: @escaping @Sendable (GatewayStatus) async -> Void
    ) async {
        var failures = 0
        while !Task.isCancelled {
            await onStatus(.connecting)
            let resumeURL = state.withLock { $0.sessionId != nil ? $0.resumeURL : nil }
            let target = resumeURL ?? configuration.url
            let next: Next
            var established = false
            do {
                (next, established) = try await connectOnce(
                    base: target, resume: resumeURL != nil && state.withLock { $0.sessionId != nil }, onEvent: onEvent,
                    onStatus: onStatus)
            } catch is CancellationError {
                break
            } catch {
                logger.info("gateway connection failed", metadata: ["error": "\(error)"])
                next = state.withLock { $0.sessionId } != nil ? .resume : .identify
            }
            state.withLock { $0.connected = false }
            if Task.isCancelled { break }
            switch next {
            case .fatal(let code, let reason):
                state.withLock { $0 = SessionState() }
                await onStatus(.fatal(code: code, reason: reason))
                return
            case .identify:
                state.withLock {
                    $0.sessionId = nil
                    $0.sequence = nil
                    $0.resumeURL = nil
                }
            case .resume:
                break
            }
            await onStatus(.disconnected(reason: "connection closed"))
            failures = established ? 0 : failures + 1
            // Back off exponentially on repeated failures (a resume right after a clean drop waits ~0.25 s).
            let base = 250 * (1 << min(failures, 8))
            let capped = min(Double(base) / 1000, Double(configuration.maxBackoff.components.seconds))
            let jittered = capped * Double.random(in: 0.8...1.2)
            do { try await Task.sleep(for: .milliseconds(Int(jittered * 1000))) } catch { break }
        }
        state.withLock { $0.connected = false }
    }

    private func connectOnce(
        base: String, resume: Bool, onEvent: @escaping @Sendable (GatewayEvent) async -> Void,
        onStatus: @escaping @Sendable (GatewayStatus) async -> Void
    ) async throws -> (Next, Bool) {
        let url = base.hasSuffix("/") ? base + configuration.query : base + "/" + configuration.query
        var headers = HTTPFields()
        headers[.userAgent] = configuration.userAgent
        headers[.cacheControl] = "no-cache"
        headers[.acceptLanguage] = "en-US,en;q=0.9"
        let outcome = Locked<Next?>(nil)
        let establishedBox = Locked(false)
        let closeFrame = try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: 1 << 24, additionalHeaders: headers), logger: logger
        ) { inbound, outbound, _ in
            let next = try await self.session(
                inbound: inbound, outbound: outbound, resume: resume, established: establishedBox, onEvent: onEvent,
                onStatus: onStatus)
            outcome.withLock { $0 = next }
        }
        let established = establishedBox.withLock { $0 }
        if let decided = outcome.withLock({ $0 }) { return (decided, established) }
        if let frame = closeFrame {
            let code = Int(UInt16(webSocketErrorCode: frame.closeCode))
            let reason = frame.reason ?? ""
            logger.info("gateway closed by server", metadata: ["code": "\(code)", "reason": "\(reason)"])
            if fatalGatewayCloseCodes.contains(code) {
                return (.fatal(code, closeCodeMeaning(code) + (reason.isEmpty ? "" : " — \(reason)")), established)
            }
            if code == 4007 || code == 4009 || code == 1000 || code == 1001 { return (.identify, established) }
        }
        return (.resume, established)
    }

    /// Handles one open socket; returns what to do next when the client itself decides to leave.
    private func session(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, resume: Bool, established: Locked<Bool>,
        onEvent: @escaping @Sendable (GatewayEvent) async -> Void, onStatus: @escaping @Sendable (GatewayStatus) async -> Void
    ) async throws -> Next? {
        let inflater = configuration.compress ? try ZlibStreamInflater() : nil
        let acked = Locked(true)
        let token = configuration.token
        func send(_ text: String) async throws { try await outbound.write(.text(text)) }
        func sendHeartbeat() async throws {
            let seq = state.withLock { $0.sequence }
            try await send(try DiscordJSON.encodeString(GatewayCommand<Int>(op: 1, d: seq)))
        }
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
                let data = Data(bytes)
                let header = try JSONDecoder().decode(GatewayHeader.self, from: data)
                switch header.op {
                case GatewayOpcode.hello.rawValue:
                    let hello = try JSONDecoder().decode(GatewayPayload<HelloData>.self, from: data).d
                    let interval = Duration.milliseconds(hello?.heartbeat_interval ?? 41250)
                    if !heartbeatStarted {
                        heartbeatStarted = true
                        group.addTask {
                            // First beat after interval × jitter, then every interval; a beat without the
                            // previous ACK means a zombie connection: close so the caller resumes.
                            try await Task.sleep(for: interval * Double.random(in: 0.05...1.0))
                            while !Task.isCancelled {
                                let wasAcked = acked.withLock { a in
                                    let v = a
                                    a = false
                                    return v
                                }
                                if !wasAcked {
                                    self.logger.warning("gateway heartbeat not acknowledged; reconnecting")
                                    try? await outbound.close(.unknown(4000), reason: "zombie connection")
                                    return .resume
                                }
                                try await sendHeartbeat()
                                try await Task.sleep(for: interval)
                            }
                            return nil
                        }
                    }
                    let current = state.withLock { $0 }
                    if resume, let sessionId = current.sessionId {
                        try await send(
                            try DiscordJSON.encodeString(
                                GatewayCommand(op: 6, d: ResumeData(token: token, session_id: sessionId, seq: current.sequence))))
                    } else {
                        let props = ClientProperties(userAgent: configuration.userAgent)
                        try await send(try DiscordJSON.encodeString(GatewayCommand(op: 2, d: IdentifyData(token: token, properties: props))))
                    }
                case GatewayOpcode.heartbeatAck.rawValue:
                    acked.withLock { $0 = true }
                case GatewayOpcode.heartbeat.rawValue:
                    try await sendHeartbeat()
                case GatewayOpcode.reconnect.rawValue:
                    logger.info("gateway asked to reconnect (op 7)")
                    decided = .resume
                case GatewayOpcode.invalidSession.rawValue:
                    let resumable = (try? JSONDecoder().decode(GatewayPayload<Bool>.self, from: data).d) ?? false
                    logger.info("gateway invalid session", metadata: ["resumable": "\(resumable ?? false)"])
                    decided = (resumable ?? false) ? .resume : .identify
                case GatewayOpcode.dispatch.rawValue:
                    if let s = header.s { state.withLock { $0.sequence = s } }
                    guard let name = header.t else { break }
                    let event: GatewayEvent
                    do {
                        event = try GatewayEvent.decode(name: name, frame: data)
                    } catch {
                        logger.warning("undecodable dispatch", metadata: ["event": "\(name)", "error": "\(error)"])
                        continue
                    }
                    switch event {
                    case .ready(let ready):
                        state.withLock {
                            $0.sessionId = ready.session_id
                            $0.resumeURL = ready.resume_gateway_url
                            $0.userId = ready.user.id
                            $0.connected = true
                        }
                        established.withLock { $0 = true }
                        await onStatus(.connected(sessionId: ready.session_id, resumed: false))
                    case .resumed:
                        state.withLock { $0.connected = true }
                        established.withLock { $0 = true }
                        await onStatus(.connected(sessionId: state.withLock { $0.sessionId } ?? "", resumed: true))
                    default: break
                    }
                    await onEvent(event)
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
}

/// Human-readable meaning of a gateway close code (for account disable reasons).
public func closeCodeMeaning(_ code: Int) -> String {
    switch code {
    case 4004: return "Authentication failed (4004): the token is invalid"
    case 4010: return "Invalid shard (4010)"
    case 4011: return "Sharding required (4011)"
    case 4012: return "Invalid API version (4012)"
    case 4013: return "Invalid intents (4013)"
    case 4014: return "Disallowed intents (4014)"
    case 4015: return "Too many user sessions (4015)"
    case 4016: return "Connection request cancelled (4016)"
    default: return "Gateway closed (\(code))"
    }
}
