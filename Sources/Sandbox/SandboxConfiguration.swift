// Sandbox: a local Discord (REST /api/v9|v10, zlib-stream gateway, CDN) with simulated
// Midjourney, niji・journey and InsightFaceSwap bots. It imports only DiscordKit's models and
// codecs, never ProxyCore, so it cannot share the proxy's bugs.

import Foundation

/// How the sandbox behaves; every knob a test or a demo needs.
public struct SandboxConfiguration: Sendable {
    public var host: String
    /// Port of REST + CDN; 0 picks a free one (read it back from `SandboxServer.port`).
    public var port: Int
    /// Port of the gateway WebSocket (Discord serves it on its own host); 0 picks a free one.
    public var gatewayPort: Int
    /// Public base URL override for CDN/gateway links (default `http://host:port`).
    public var publicBaseURL: String?
    /// Multiplies every simulated delay: 1 ≈ a real job (tens of seconds), 0.01 for tests.
    public var speedFactor: Double
    /// Longest side of one grid tile in pixels (a real v6 grid is 2048, i.e. tiles of 1024).
    public var tileSize: Int
    /// Number of text channels in the sandbox guild.
    public var channelCount: Int
    /// Concurrent fast jobs per user before `Job queued` (Midjourney: 3).
    public var concurrentJobs: Int
    /// Queued jobs per user before `Queue full` (Midjourney: 10).
    public var queuedJobs: Int
    /// Heartbeat interval announced in HELLO, in ms.
    public var heartbeatInterval: Int
    /// Send INTERACTION_SUCCESS before the first MESSAGE_CREATE (the order is not pinned down).
    public var successBeforeMessage: Bool
    /// Serve the fault-injection control API (`/sandbox/faults`, `/sandbox/disconnect`, `/sandbox/op`,
    /// `/sandbox/settings`, `/sandbox/stats`). Off by default: those routes then answer 404.
    public var controlRoutes: Bool
    /// Channel `n` is visible only to the user of `SandboxIDs.accountToken(n)` (and the bots), as with a
    /// permission overwrite denying VIEW_CHANNEL to everyone else: others get no events for it and 403
    /// Missing Access on its routes. Off by default (every user sees every channel, like a shared server).
    public var privateChannels: Bool

    /// Creates a configuration with demo-friendly defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 8081, gatewayPort: Int = 0, publicBaseURL: String? = nil, speedFactor: Double = 1,
        tileSize: Int = 1024, channelCount: Int = 10, concurrentJobs: Int = 3, queuedJobs: Int = 10,
        heartbeatInterval: Int = 41250, successBeforeMessage: Bool = false, controlRoutes: Bool = false,
        privateChannels: Bool = false
    ) {
        self.host = host
        self.port = port
        self.gatewayPort = gatewayPort
        self.publicBaseURL = publicBaseURL
        self.speedFactor = speedFactor
        self.tileSize = tileSize
        self.channelCount = channelCount
        self.concurrentJobs = concurrentJobs
        self.queuedJobs = queuedJobs
        self.heartbeatInterval = heartbeatInterval
        self.successBeforeMessage = successBeforeMessage
        self.controlRoutes = controlRoutes
        self.privateChannels = privateChannels
    }
}

/// Fixed identities of the sandbox world.
public enum SandboxIDs {
    /// The sandbox guild.
    public static let guildId = "1172000000000000001"
    /// The id of text channel `n` (1-based) of the sandbox guild.
    public static func channelId(_ n: Int) -> String { String(1_172_000_000_000_000_001 + Int64(n)) }
    /// The token of the sandbox account that owns channel `n` (the one that sees it when channels are private).
    public static func accountToken(_ n: Int) -> String { "sandbox-token-\(n)" }
    /// Midjourney Bot application (= bot user) id.
    public static let midjourney = "936929561302675456"
    /// niji・journey Bot application id.
    public static let niji = "1022952195194359889"
    /// InsightFaceSwap application id.
    public static let insightFace = "1090660574196674713"

    /// Tokens the sandbox refuses at IDENTIFY (close 4004) and on REST (401): fault injection.
    public static func isRejectedToken(_ token: String) -> Bool {
        token.isEmpty || token.hasPrefix("invalid") || token.hasPrefix("bad-token")
    }
}
