import Foundation

/// One Discord user account the proxy drives (contract §6 fields).
public struct AccountConfig: Sendable, Equatable, Codable {
    public var id: String
    public var guildId: String
    public var channelId: String
    public var userToken: String
    public var userAgent: String
    public var enabled: Bool
    public var coreSize: Int
    public var queueSize: Int
    /// Inactivity timeout of a running task, in minutes (fractions allowed in config files).
    public var timeoutMinutes: Double
    public var remark: String
    public var weight: Int
    public var mjBotChannelId: String?
    public var nijiBotChannelId: String?
    public var remixAutoSubmit: Bool

    /// A current desktop Chrome User-Agent (the default).
    public static let defaultUserAgent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36"

    /// Creates an account with the contract's defaults.
    public init(
        id: String? = nil, guildId: String, channelId: String, userToken: String, userAgent: String = AccountConfig.defaultUserAgent,
        enabled: Bool = true, coreSize: Int = 3, queueSize: Int = 10, timeoutMinutes: Double = 5, remark: String = "", weight: Int = 1,
        mjBotChannelId: String? = nil, nijiBotChannelId: String? = nil, remixAutoSubmit: Bool = false
    ) {
        self.id = id ?? channelId
        self.guildId = guildId
        self.channelId = channelId
        self.userToken = userToken
        self.userAgent = userAgent
        self.enabled = enabled
        self.coreSize = coreSize
        self.queueSize = queueSize
        self.timeoutMinutes = timeoutMinutes
        self.remark = remark
        self.weight = weight
        self.mjBotChannelId = mjBotChannelId
        self.nijiBotChannelId = nijiBotChannelId
        self.remixAutoSubmit = remixAutoSubmit
    }

    /// The token as it may be shown: first 6 characters + `***`.
    public var maskedToken: String { String(userToken.prefix(6)) + "***" }
}

/// Where Discord (or the sandbox) is.
public struct DiscordEndpoints: Sendable, Equatable {
    /// Gateway base URL, e.g. `wss://gateway.discord.gg`.
    public var gatewayURL: String
    /// REST base with version, e.g. `https://discord.com/api/v9`.
    public var apiBase: String
    /// Replacement for `https://cdn.discordapp.com` in image URLs handed to clients (nil keeps them).
    public var cdnBase: String?
    /// Replacement host for attachment upload URLs (nil keeps them).
    public var uploadBase: String?
    /// Where bot activities live: `<activityBase>/<application id>`; nil = `https://<application id>.discordsays.com`.
    public var activityBase: String?

    /// Creates endpoints.
    public init(gatewayURL: String, apiBase: String, cdnBase: String? = nil, uploadBase: String? = nil, activityBase: String? = nil) {
        self.gatewayURL = gatewayURL
        self.apiBase = apiBase
        self.cdnBase = cdnBase
        self.uploadBase = uploadBase
        self.activityBase = activityBase
    }

    /// The base URL of an application's activity (e.g. the Vary (Region) editor's API).
    public func activityURL(applicationId: String) -> String {
        if let base = activityBase, !base.isEmpty { return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + applicationId }
        return "https://\(applicationId).discordsays.com"
    }

    /// Real Discord.
    public static let discord = DiscordEndpoints(gatewayURL: "wss://gateway.discord.gg", apiBase: "https://discord.com/api/v9")

    /// `url` with Discord's CDN hosts replaced by `cdnBase`.
    public func rewriteCDN(_ url: String) -> String {
        guard let cdnBase, !cdnBase.isEmpty else { return url }
        let base = cdnBase.hasSuffix("/") ? String(cdnBase.dropLast()) : cdnBase
        for host in ["https://cdn.discordapp.com", "https://media.discordapp.net"] where url.hasPrefix(host) {
            return base + url.dropFirst(host.count)
        }
        return url
    }
}

/// Connection state of an account (contract §6 `status`).
public enum AccountStatus: String, Sendable, Codable {
    case connected = "CONNECTED"
    case connecting = "CONNECTING"
    case disconnected = "DISCONNECTED"
    case disabled = "DISABLED"
}
