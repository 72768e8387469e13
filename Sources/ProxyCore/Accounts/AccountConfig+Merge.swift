import DiscordKit

extension AccountConfig {
    /// Names of every field (as in YAML and the store); a config file account sets a subset.
    public static let allFieldNames: Set<String> = [
        "id", "guildId", "channelId", "userToken", "userAgent", "enabled", "coreSize", "queueSize", "timeoutMinutes", "remark", "weight",
        "mjBotChannelId", "nijiBotChannelId", "remixAutoSubmit", "botTypes", "allowedModes", "fixedMode", "dailyLimit", "workWindow",
        "minSubmitInterval", "subChannels", "proxy",
    ]

    /// This configuration with the `fields` of `other` copied over (the config file wins for what it sets).
    public func overlaying(_ other: AccountConfig, fields: Set<String>) -> AccountConfig {
        var c = self
        for field in fields {
            switch field {
            case "id": c.id = other.id
            case "guildId": c.guildId = other.guildId
            case "channelId": c.channelId = other.channelId
            case "userToken": c.userToken = other.userToken
            case "userAgent": c.userAgent = other.userAgent
            case "enabled": c.enabled = other.enabled
            case "coreSize": c.coreSize = other.coreSize
            case "queueSize": c.queueSize = other.queueSize
            case "timeoutMinutes": c.timeoutMinutes = other.timeoutMinutes
            case "remark": c.remark = other.remark
            case "weight": c.weight = other.weight
            case "mjBotChannelId": c.mjBotChannelId = other.mjBotChannelId
            case "nijiBotChannelId": c.nijiBotChannelId = other.nijiBotChannelId
            case "remixAutoSubmit": c.remixAutoSubmit = other.remixAutoSubmit
            case "botTypes": c.botTypes = other.botTypes
            case "allowedModes": c.allowedModes = other.allowedModes
            case "fixedMode": c.fixedMode = other.fixedMode
            case "dailyLimit": c.dailyLimit = other.dailyLimit
            case "workWindow": c.workWindow = other.workWindow
            case "minSubmitInterval": c.minSubmitInterval = other.minSubmitInterval
            case "subChannels": c.subChannels = other.subChannels
            case "proxy": c.proxy = other.proxy
            default: break
            }
        }
        return c
    }

    /// Whether a setting only a new session can use differs (token, guild, channel, user agent, proxy).
    public func connectionDiffers(from other: AccountConfig) -> Bool {
        userToken != other.userToken || guildId != other.guildId || channelId != other.channelId || userAgent != other.userAgent
            || proxy != other.proxy
    }

    /// This configuration with the connection settings of `live` (what the open session uses).
    public func keepingConnection(of live: AccountConfig) -> AccountConfig {
        var c = self
        c.userToken = live.userToken
        c.guildId = live.guildId
        c.channelId = live.channelId
        c.userAgent = live.userAgent
        c.proxy = live.proxy
        return c
    }
}
