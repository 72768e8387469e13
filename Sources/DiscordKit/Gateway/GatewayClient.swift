import Foundation
import Logging
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
    /// Lower bound (first ceiling) of the reconnect back-off.
    public var minBackoff: Duration
    /// A session up this long (or with an acknowledged heartbeat) resets the back-off.
    public var stableSessionAfter: Duration
    /// Dispatches buffered between the socket reader and the event handler. When the handler falls
    /// this far behind, the connection is closed and resumed (Discord replays what was not taken).
    public var eventBufferSize: Int
    /// Connections in a row that fail before READY/RESUMED after which the client gives up with a
    /// fatal status (code 0); nil = retry forever.
    public var maxConnectFailures: Int?
    /// Outbound proxy the WebSocket connects through (HTTP CONNECT or SOCKS5); nil = direct.
    public var proxy: OutboundProxy?
    /// Channels whose guild messages the client wants; others are skipped before decoding
    /// (`ChannelPrefilter`). nil = every message is decoded.
    public var channelFilter: (@Sendable (String) -> Bool)?

    /// Creates a configuration.
    public init(
        url: String, token: String, userAgent: String, compress: Bool = true, apiVersion: Int = 9,
        maxBackoff: Duration = .seconds(60), minBackoff: Duration = .seconds(1), stableSessionAfter: Duration = .seconds(60),
        eventBufferSize: Int = 4096, maxConnectFailures: Int? = nil, proxy: OutboundProxy? = nil
    ) {
        self.proxy = proxy
        self.maxConnectFailures = maxConnectFailures
        self.url = url
        self.token = token
        self.userAgent = userAgent
        self.compress = compress
        self.apiVersion = apiVersion
        self.maxBackoff = maxBackoff
        self.minBackoff = minBackoff
        self.stableSessionAfter = stableSessionAfter
        self.eventBufferSize = max(1, eventBufferSize)
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
///
/// The socket reader never waits for the event handler: dispatches and status changes go, in
/// order, through a bounded buffer to one consumer task that calls `onEvent` / `onStatus`, so
/// heartbeats and their ACKs keep flowing while a handler awaits a REST call. Reconnects wait a
/// `ReconnectBackoff` delay (full jitter, capped, reset only after a stable session); op 9 waits
/// 1–5 s. All waiting happens on the injected clock.
public final class GatewayClient: Sendable {
    struct SessionState {
        var sessionId: String?
        var resumeURL: String?
        var sequence: Int?
        var userId: String?
        var connected = false
        var reconnectAttempt = 0
        var acknowledgedHeartbeats = 0
    }

    /// What to do after a connection ended.
    enum Next {
        case resume
        case identify
        case fatal(Int, String)
    }

    /// What the consumer task delivers, in arrival order.
    enum Delivery: Sendable {
        case event(GatewayEvent)
        case status(GatewayStatus)
    }

    public let configuration: GatewayConfiguration
    let logger: Logger
    let state = Locked(SessionState())
    let timer: ClockTimer

    /// Creates a client; nothing happens until `run`. `clock` drives heartbeats, back-off and zombie detection.
    public init(configuration: GatewayConfiguration, logger: Logger, clock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.logger = logger
        self.timer = ClockTimer(clock)
    }

    /// The live session id (what `/interactions` bodies must carry), once READY arrived.
    public var sessionId: String? { state.withLock { $0.sessionId } }
    /// The account's own user id from READY.
    public var userId: String? { state.withLock { $0.userId } }
    /// True while a session is established.
    public var isConnected: Bool { state.withLock { $0.connected } }
    /// Consecutive connections that ended before they were stable (drives the back-off).
    public var reconnectAttempt: Int { state.withLock { $0.reconnectAttempt } }
    /// Heartbeat ACKs received over the client's lifetime (diagnostics).
    public var acknowledgedHeartbeats: Int { state.withLock { $0.acknowledgedHeartbeats } }

    /// Runs until cancelled or a fatal close. Calls `onEvent` for every dispatch and `onStatus` on
    /// connection changes, in order, from one task that is not the socket reader.
    public func run(
        onEvent: @escaping @Sendable (GatewayEvent) async -> Void,
        onStatus: @escaping @Sendable (GatewayStatus) async -> Void
    ) async {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream(bufferingPolicy: .bufferingOldest(configuration.eventBufferSize))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await delivery in stream {
                    switch delivery {
                    case .event(let event): await onEvent(event)
                    case .status(let status): await onStatus(status)
                    }
                }
            }
            await connectLoop { delivery in
                if case .enqueued = continuation.yield(delivery) { return true }
                return false
            }
            // Fatal close or cancellation: let the consumer hand over what is buffered, then stop.
            continuation.finish()
            await group.waitForAll()
        }
        state.withLock { $0.connected = false }
    }

    /// Connects, and reconnects after every drop, until cancelled or fatal.
    private func connectLoop(deliver: @escaping @Sendable (Delivery) -> Bool) async {
        var backoff = ReconnectBackoff(
            minimum: configuration.minBackoff, maximum: configuration.maxBackoff, stableAfter: configuration.stableSessionAfter)
        var random = SystemRandomNumberGenerator()
        var connectFailures = 0
        while !Task.isCancelled {
            _ = deliver(.status(.connecting))
            let resumeURL = state.withLock { $0.sessionId != nil ? $0.resumeURL : nil }
            let resume = state.withLock { $0.sessionId != nil }
            let connection = ConnectionRecord()
            let next: Next
            do {
                next = try await connectOnce(base: resumeURL ?? configuration.url, resume: resume, record: connection, deliver: deliver)
            } catch is CancellationError {
                break
            } catch {
                logger.info("gateway connection failed", metadata: ["error": "\(error)"])
                next = resume ? .resume : .identify
            }
            state.withLock { $0.connected = false }
            if Task.isCancelled { break }
            switch next {
            case .fatal(let code, let reason):
                state.withLock { $0 = SessionState() }
                _ = deliver(.status(.fatal(code: code, reason: reason)))
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
            _ = deliver(.status(.disconnected(reason: "connection closed")))
            let record = connection.box.value
            connectFailures = record.establishedAt == nil ? connectFailures + 1 : 0
            if let limit = configuration.maxConnectFailures, connectFailures >= max(1, limit) {
                state.withLock { $0 = SessionState() }
                _ = deliver(.status(.fatal(code: 0, reason: "\(connectFailures) consecutive connection failures")))
                return
            }
            let uptime = record.establishedAt.map { timer.elapsed() - $0 }
            backoff.connectionEnded(uptime: uptime, acknowledgedHeartbeats: record.acks)
            state.withLock { $0.reconnectAttempt = backoff.attempt }
            var delay = backoff.delay(using: &random)
            if record.invalidSession { delay = max(delay, ReconnectBackoff.invalidSessionDelay(using: &random)) }
            logger.debug("gateway reconnecting", metadata: ["delay": "\(delay)", "attempt": "\(backoff.attempt)"])
            do { try await timer.sleep(delay) } catch { break }
        }
    }
}

/// What one connection did, for the back-off decision after it ended.
final class ConnectionRecord: Sendable {
    struct Facts: Sendable {
        /// Timer reading at READY/RESUMED.
        var establishedAt: Duration?
        /// Heartbeat ACKs on this connection.
        var acks = 0
        /// The server sent op 9.
        var invalidSession = false
    }

    let box = Locked(Facts())
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
