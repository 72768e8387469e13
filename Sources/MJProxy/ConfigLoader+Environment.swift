import DiscordKit
import Foundation
import ImageMirror
import PostgresStorage
import ProxyCore
import Yams

/// `MJPROXY_*` variables, then the checks across keys.
extension ConfigLoader {
    /// `MJPROXY_*` variables override the file; a single account can be given as `MJPROXY_ACCOUNT_*`.
    static func applyEnvironment(_ env: [String: String], to c: inout AppConfig) throws {
        func get(_ name: String) -> String? { env["MJPROXY_" + name].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = get("HTTP_HOST") { c.host = v }
        if let v = get("HTTP_PORT") { c.port = try int(v, "MJPROXY_HTTP_PORT") }
        if let v = get("API_SECRET") { c.apiSecret = v }
        if let v = get("ADMIN_SECRET") { c.adminSecret = v }
        if let v = get("RELOAD_POLL_SECONDS") { c.reloadPollSeconds = try double(v, "MJPROXY_RELOAD_POLL_SECONDS") }
        if let v = get("LOCALE") {
            guard let l = TextLocale(rawValue: v) else { throw ConfigError(key: "MJPROXY_LOCALE", problem: "must be en or zh") }
            c.locale = l
        }
        if let v = get("STORE_PATH") { c.storePath = v }
        if let v = get("STORE_URL") { c.storeURL = v }
        if let v = get("WEBHOOK_URL") { c.webhookURL = v }
        if let v = get("WEBHOOK_SECRET") { c.webhookSecret = v }
        if let v = get("ACCOUNT_INFO_INTERVAL_MINUTES") { c.accountInfoIntervalMinutes = try double(v, "MJPROXY_ACCOUNT_INFO_INTERVAL_MINUTES") }
        if let v = get("ACCOUNT_AUTO_RELAX") { c.accountAutoRelax = try bool(v, "MJPROXY_ACCOUNT_AUTO_RELAX") }
        if let v = get("ACCOUNT_MAX_CONNECT_FAILURES") { c.accountMaxConnectFailures = try int(v, "MJPROXY_ACCOUNT_MAX_CONNECT_FAILURES") }
        if let v = get("ACCOUNT_RESEND_UNCONFIRMED_SECONDS") {
            c.accountResendUnconfirmedSeconds = try double(v, "MJPROXY_ACCOUNT_RESEND_UNCONFIRMED_SECONDS")
        }
        if let v = get("VERIFICATION_HOOK_URL") { c.verificationHookURL = v }
        if let v = get("TRANSLATE_WAY") { c.translateWay = v.lowercased() }
        if let v = get("TRANSLATE_BAIDU_APP_ID") { c.baiduAppId = v }
        if let v = get("TRANSLATE_BAIDU_APP_SECRET") { c.baiduAppSecret = v }
        if let v = get("TRANSLATE_OPENAI_BASE_URL") { c.openaiBaseURL = v }
        if let v = get("TRANSLATE_OPENAI_API_KEY") { c.openaiAPIKey = v }
        if let v = get("TRANSLATE_OPENAI_MODEL") { c.openaiModel = v }
        if let v = get("BANNED_WORDS_FILE") { c.bannedWordsFile = v }
        if let v = get("OUTBOUND_ALLOW_PRIVATE_NETWORKS") { c.outboundAllowPrivateNetworks = try bool(v, "MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS") }
        if let v = get("OUTBOUND_ALLOW_HOSTS") {
            c.outboundAllowHosts = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let v = get("TASK_AUTO_APPEAL") { c.autoAppeal = try bool(v, "MJPROXY_TASK_AUTO_APPEAL") }
        if let v = get("DISCORD_GATEWAY_URL") { c.discord.gatewayURL = v }
        if let v = get("DISCORD_API_BASE") { c.discord.apiBase = v }
        if let v = get("DISCORD_CDN_BASE") { c.discord.cdnBase = v }
        if let v = get("DISCORD_UPLOAD_BASE") { c.discord.uploadBase = v }
        if let v = get("DISCORD_PROXY") { c.discordProxy = v }
        if let v = get("SCHEDULING_RULE") { c.schedulingRule = try schedulingRule(v, "MJPROXY_SCHEDULING_RULE") }
        if let v = get("SANDBOX_ENABLED") { c.sandbox.enabled = try bool(v, "MJPROXY_SANDBOX_ENABLED") }
        if let v = get("SANDBOX_PORT") { c.sandbox.port = try int(v, "MJPROXY_SANDBOX_PORT") }
        if let v = get("SANDBOX_PUBLIC_BASE_URL") { c.sandbox.publicBaseURL = v }
        if let v = get("SANDBOX_GATEWAY_PORT") { c.sandbox.gatewayPort = try int(v, "MJPROXY_SANDBOX_GATEWAY_PORT") }
        if let v = get("SANDBOX_SPEED_FACTOR") { c.sandbox.speedFactor = try double(v, "MJPROXY_SANDBOX_SPEED_FACTOR") }
        if let v = get("SANDBOX_ACCOUNTS") { c.sandbox.accounts = try int(v, "MJPROXY_SANDBOX_ACCOUNTS") }
        if let v = get("SANDBOX_TILE_SIZE") { c.sandbox.tileSize = try int(v, "MJPROXY_SANDBOX_TILE_SIZE") }
        if let v = get("SANDBOX_CONTROL_ROUTES") { c.sandbox.controlRoutes = try bool(v, "MJPROXY_SANDBOX_CONTROL_ROUTES") }
        if let v = get("SANDBOX_PRIVATE_CHANNELS") { c.sandbox.privateChannels = try bool(v, "MJPROXY_SANDBOX_PRIVATE_CHANNELS") }
        try applyImagesEnvironment(env, to: &c)
        try applyObservabilityEnvironment(env, to: &c)
        try applyInstanceEnvironment(env, to: &c)
        if let token = get("ACCOUNT_USER_TOKEN") {
            guard let guild = get("ACCOUNT_GUILD_ID"), let channel = get("ACCOUNT_CHANNEL_ID") else {
                throw ConfigError(key: "MJPROXY_ACCOUNT_GUILD_ID", problem: "MJPROXY_ACCOUNT_GUILD_ID and MJPROXY_ACCOUNT_CHANNEL_ID are required with MJPROXY_ACCOUNT_USER_TOKEN")
            }
            let a = AccountConfig(guildId: guild, channelId: channel, userToken: token)
            c.accounts.append(a)
            c.accountFields[a.id] = ["id", "guildId", "channelId", "userToken"]
        }
    }

    // MARK: validation

    /// Per-account scheduling and proxy settings; errors name `key.<field>`.
    static func validateScheduling(_ a: AccountConfig, key: String) throws {
        if let limit = a.dailyLimit, limit < 0 { throw ConfigError(key: "\(key).dailyLimit", problem: "must be 0 or more") }
        guard a.minSubmitInterval >= 0, a.minSubmitInterval <= 3600 else {
            throw ConfigError(key: "\(key).minSubmitInterval", problem: "must be 0-3600 seconds")
        }
        if let w = a.workWindow, !w.isEmpty {
            do { _ = try WorkWindow(w) } catch { throw ConfigError(key: "\(key).workWindow", problem: error.description) }
        }
        for (i, ch) in a.subChannels.enumerated() where !(17...20).contains(ch.count) || !ch.allSatisfy(\.isNumber) {
            throw ConfigError(key: "\(key).subChannels[\(i)]", problem: "must be a Discord id (17-20 digits)")
        }
        if let fixed = a.fixedMode, !a.allowedModes.isEmpty, !a.allowedModes.contains(fixed) {
            throw ConfigError(key: "\(key).fixedMode", problem: "must be one of allowedModes")
        }
        if let p = a.proxy, !p.isEmpty {
            do { _ = try OutboundProxy(url: p) } catch { throw ConfigError(key: "\(key).proxy", problem: error.description) }
        }
    }

    static func validate(_ c: AppConfig) throws {
        if let url = c.storeURL, !url.isEmpty {
            // The problem is named, the URL (with its password) never repeated.
            do { _ = try PostgresStoreConfiguration(url: url) } catch { throw ConfigError(key: "store.url", problem: error.description) }
        }
        guard (0...65535).contains(c.port) else { throw ConfigError(key: "http.port", problem: "must be 0-65535") }
        guard (0...65535).contains(c.sandbox.port) else { throw ConfigError(key: "sandbox.port", problem: "must be 0-65535") }
        guard (0...65535).contains(c.sandbox.gatewayPort) else { throw ConfigError(key: "sandbox.gatewayPort", problem: "must be 0-65535") }
        guard c.sandbox.speedFactor >= 0, c.sandbox.speedFactor <= 1000 else { throw ConfigError(key: "sandbox.speedFactor", problem: "must be 0-1000") }
        guard c.sandbox.timeoutMinutes > 0, c.sandbox.timeoutMinutes <= 60 else { throw ConfigError(key: "sandbox.timeoutMinutes", problem: "must be in (0, 60]") }
        // One channel per simulated account: the sandbox creates as many as needed.
        guard (1...2000).contains(c.sandbox.accounts) else { throw ConfigError(key: "sandbox.accounts", problem: "must be 1-2000") }
        guard (16...4096).contains(c.sandbox.tileSize) else { throw ConfigError(key: "sandbox.tileSize", problem: "must be 16-4096") }
        for (i, host) in c.outboundAllowHosts.enumerated() where host.isEmpty || host.contains("/") || host.contains(" ") {
            throw ConfigError(key: "outbound.allowHosts[\(i)]", problem: "must be a host name or IP literal (no scheme, path or spaces)")
        }
        guard c.reloadPollSeconds >= 0, c.reloadPollSeconds <= 86_400 else { throw ConfigError(key: "reload.pollSeconds", problem: "must be 0-86400") }
        guard (1...3600).contains(c.accountResendUnconfirmedSeconds) else {
            throw ConfigError(key: "account.resendUnconfirmedSeconds", problem: "must be 1-3600")
        }
        guard (1...100_000).contains(c.maxIdsPerQuery) else { throw ConfigError(key: "task.maxIdsPerQuery", problem: "must be 1-100000") }
        guard c.eventsPingSeconds > 0, c.eventsPingSeconds <= 3600 else { throw ConfigError(key: "task.eventsPingSeconds", problem: "must be in (0, 3600]") }
        for (k, url) in [("webhook.url", c.webhookURL), ("verification.hookUrl", c.verificationHookURL), ("sandbox.publicBaseUrl", c.sandbox.publicBaseURL), ("discord.uploadBase", c.discord.uploadBase), ("discord.cdnBase", c.discord.cdnBase)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) { throw ConfigError(key: k, problem: "must be an http(s) URL") }
        }
        for (k, url) in [("discord.gatewayUrl", c.discord.gatewayURL)] where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw ConfigError(key: k, problem: "must be a ws(s) URL")
        }
        if let p = c.discordProxy, !p.isEmpty {
            do { _ = try OutboundProxy(url: p) } catch { throw ConfigError(key: "discord.proxy", problem: error.description) }
        }
        guard c.discord.apiBase.hasPrefix("http://") || c.discord.apiBase.hasPrefix("https://") else {
            throw ConfigError(key: "discord.apiBase", problem: "must be an http(s) URL")
        }
        try validateImages(c)
        try validateInstance(c)
        switch c.translateWay {
        case "none": break
        case "baidu":
            guard c.baiduAppId?.isEmpty == false, c.baiduAppSecret?.isEmpty == false else {
                throw ConfigError(key: "translate.baidu", problem: "appId and appSecret are required with translate.way baidu")
            }
        case "openai":
            guard c.openaiAPIKey?.isEmpty == false else { throw ConfigError(key: "translate.openai.apiKey", problem: "is required with translate.way openai") }
        default: throw ConfigError(key: "translate.way", problem: "must be none, baidu or openai")
        }
        var ids = Set<String>()
        for (i, a) in c.accounts.enumerated() {
            let key = "accounts[\(i)]"
            guard ids.insert(a.id).inserted else { throw ConfigError(key: "\(key).id", problem: "duplicate account id \(a.id)") }
            for (name, value) in [("guildId", a.guildId), ("channelId", a.channelId)] where !(17...20).contains(value.count) || !value.allSatisfy(\.isNumber) {
                throw ConfigError(key: "\(key).\(name)", problem: "must be a Discord id (17-20 digits)")
            }
            guard !a.userToken.isEmpty else { throw ConfigError(key: "\(key).userToken", problem: "must not be empty") }
            guard (1...12).contains(a.coreSize) else { throw ConfigError(key: "\(key).coreSize", problem: "must be 1-12") }
            guard (0...100).contains(a.queueSize) else { throw ConfigError(key: "\(key).queueSize", problem: "must be 0-100") }
            guard a.timeoutMinutes > 0, a.timeoutMinutes <= 60 else { throw ConfigError(key: "\(key).timeoutMinutes", problem: "must be in (0, 60]") }
            guard (1...100).contains(a.weight) else { throw ConfigError(key: "\(key).weight", problem: "must be 1-100") }
            try validateScheduling(a, key: key)
        }
    }
}
