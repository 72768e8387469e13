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
    /// Bots this account serves (Midjourney, Niji; InsightFaceSwap runs on any Midjourney account).
    public var botTypes: Set<BotType>
    /// Speed modes it may run; empty = all.
    public var allowedModes: Set<SpeedMode>
    /// A mode every job of this account runs in (its flag replaces the requested one); nil = as requested.
    public var fixedMode: SpeedMode?
    /// Jobs per day (UTC) at most; nil = unlimited.
    public var dailyLimit: Int?
    /// Hours (UTC) the account works, e.g. `09:00-18:00` (may wrap midnight); nil = always.
    public var workWindow: String?
    /// Minimum seconds between two submits of this account (pacing); 0 = none.
    public var minSubmitInterval: Double
    /// Extra channels of the same guild that jobs are spread over ("sub-channels").
    public var subChannels: [String]
    /// Outbound proxy for REST and gateway (`http://host:port`, `socks5://host:port`, with optional user:pass); nil = global/none.
    public var proxy: String?

    /// A current desktop Chrome User-Agent (the default).
    public static let defaultUserAgent =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36"

    /// Creates an account with the contract's defaults.
    public init(
        id: String? = nil, guildId: String, channelId: String, userToken: String, userAgent: String = AccountConfig.defaultUserAgent,
        enabled: Bool = true, coreSize: Int = 3, queueSize: Int = 10, timeoutMinutes: Double = 5, remark: String = "", weight: Int = 1,
        mjBotChannelId: String? = nil, nijiBotChannelId: String? = nil, remixAutoSubmit: Bool = false,
        botTypes: Set<BotType> = [.midJourney, .nijiJourney], allowedModes: Set<SpeedMode> = [], fixedMode: SpeedMode? = nil, dailyLimit: Int? = nil,
        workWindow: String? = nil, minSubmitInterval: Double = 0, subChannels: [String] = [], proxy: String? = nil
    ) {
        self.botTypes = botTypes
        self.allowedModes = allowedModes
        self.fixedMode = fixedMode
        self.dailyLimit = dailyLimit
        self.workWindow = workWindow
        self.minSubmitInterval = minSubmitInterval
        self.subChannels = subChannels
        self.proxy = proxy
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
    private enum CodingKeys: String, CodingKey {
        case id, guildId, channelId, userToken, userAgent, enabled, coreSize, queueSize, timeoutMinutes, remark, weight, mjBotChannelId
        case nijiBotChannelId, remixAutoSubmit, botTypes, allowedModes, fixedMode, dailyLimit, workWindow, minSubmitInterval, subChannels, proxy
    }

    /// Decodes a stored account; keys added in later versions take their defaults when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let channelId = try c.decode(String.self, forKey: .channelId)
        self.init(
            id: try c.decodeIfPresent(String.self, forKey: .id) ?? channelId, guildId: try c.decode(String.self, forKey: .guildId),
            channelId: channelId, userToken: try c.decode(String.self, forKey: .userToken),
            userAgent: try c.decodeIfPresent(String.self, forKey: .userAgent) ?? Self.defaultUserAgent,
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true, coreSize: try c.decodeIfPresent(Int.self, forKey: .coreSize) ?? 3,
            queueSize: try c.decodeIfPresent(Int.self, forKey: .queueSize) ?? 10,
            timeoutMinutes: try c.decodeIfPresent(Double.self, forKey: .timeoutMinutes) ?? 5,
            remark: try c.decodeIfPresent(String.self, forKey: .remark) ?? "", weight: try c.decodeIfPresent(Int.self, forKey: .weight) ?? 1,
            mjBotChannelId: try c.decodeIfPresent(String.self, forKey: .mjBotChannelId),
            nijiBotChannelId: try c.decodeIfPresent(String.self, forKey: .nijiBotChannelId),
            remixAutoSubmit: try c.decodeIfPresent(Bool.self, forKey: .remixAutoSubmit) ?? false,
            botTypes: try c.decodeIfPresent(Set<BotType>.self, forKey: .botTypes) ?? [.midJourney, .nijiJourney],
            allowedModes: try c.decodeIfPresent(Set<SpeedMode>.self, forKey: .allowedModes) ?? [],
            fixedMode: try c.decodeIfPresent(SpeedMode.self, forKey: .fixedMode), dailyLimit: try c.decodeIfPresent(Int.self, forKey: .dailyLimit),
            workWindow: try c.decodeIfPresent(String.self, forKey: .workWindow),
            minSubmitInterval: try c.decodeIfPresent(Double.self, forKey: .minSubmitInterval) ?? 0,
            subChannels: try c.decodeIfPresent([String].self, forKey: .subChannels) ?? [], proxy: try c.decodeIfPresent(String.self, forKey: .proxy))
    }

    /// Every channel jobs of this account may run in: the main one first, then the sub-channels.
    public var channels: [String] { [channelId] + subChannels.filter { $0 != channelId } }

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
