import DiscordKit
import Foundation
import ImageMirror
import PostgresStorage
import ProxyCore
import Yams

/// Everything mjproxy can be configured with (YAML file, then `MJPROXY_*` environment, then CLI flags).
struct AppConfig: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var apiSecret: String?
    /// Guards the account API (`admin.secret`, env `MJPROXY_ADMIN_SECRET`); unset = account changes refused.
    var adminSecret: String?
    /// Per account id, the account fields the config file sets (they win over stored values).
    var accountFields: [String: Set<String>] = [:]
    /// The file this configuration was read from (re-read on change and SIGHUP).
    var configPath: String?
    /// How often the config file's modification time is checked, in seconds (`reload.pollSeconds`; 0 = only SIGHUP).
    var reloadPollSeconds = 3.0
    /// Problems that do not stop the start (e.g. novicezk keys mjproxy does not support), logged once.
    var warnings: [String] = []
    var locale: TextLocale = .en
    var storePath = "./data/mjproxy.sqlite"
    /// `store.url` (env `MJPROXY_STORE_URL`): a PostgreSQL URL; when set, the PostgreSQL store replaces SQLite.
    var storeURL: String?
    var webhookURL: String?
    var webhookSecret: String?
    var maxIdsPerQuery = 1000
    /// `task.eventsPingSeconds`: keep-alive interval of the task event streams (SSE `: ping`).
    var eventsPingSeconds = 15.0
    var discord = DiscordEndpoints.discord
    var accounts: [AccountConfig] = []
    var sandbox = SandboxSettings()
    /// `none`, `baidu` or `openai` (only prompts containing Chinese are translated).
    var translateWay = "none"
    var baiduAppId: String?
    var baiduAppSecret: String?
    var baiduEndpoint = "https://fanyi-api.baidu.com/api/trans/vip/translate"
    var openaiBaseURL = "https://api.openai.com/v1"
    var openaiAPIKey: String?
    var openaiModel = "gpt-4o-mini"
    var bannedWords: [String] = []
    var bannedWordsFile: String?
    /// Press Midjourney's Appeal button on `Action needed to continue` (Plus "auto appeal").
    var autoAppeal = false
    var imageSeedWithoutSecret = false
    /// Sandbox accounts auto-submit remix modals (tests and demos of `remixAutoSubmit`).
    var sandboxRemixAutoSubmit = false
    /// Client-given URLs may reach private/loopback/link-local networks (`outbound.allowPrivateNetworks`).
    var outboundAllowPrivateNetworks = false
    /// Host names or IP literals exempt from the outbound address check (`outbound.allowHosts`).
    var outboundAllowHosts: [String] = []
    /// `account.infoIntervalMinutes`: how often each account reads `/info` again (jittered); 0 = only at connect.
    var accountInfoIntervalMinutes = 30.0
    /// `account.autoRelax`: switch to relax when fast time runs out, back to fast when it returns.
    var accountAutoRelax = true
    /// `account.maxConnectFailures`: connections in a row failing before READY that disable an account; 0 = never.
    var accountMaxConnectFailures = 5
    /// `account.resendUnconfirmedSeconds`: after a crash, a task whose POST may not have reached Discord is
    /// sent again when no bot message came for it this long after the restart.
    var accountResendUnconfirmedSeconds = 30.0
    /// `verification.hookUrl`: called with `{account, challengeUrl, message}` when an account meets a captcha.
    var verificationHookURL: String?
    /// How the pool picks among eligible accounts (`scheduling.rule`).
    var schedulingRule: SchedulingRule = .bestWaitIdle
    /// Outbound proxy for Discord REST and gateway of accounts without their own (`discord.proxy`).
    var discordProxy: String?
    /// The image mirror (`images.*`, read in AppConfig+Images.swift).
    var images = ImageMirrorSettings()
    /// `/metrics` (`metrics.*`, read in AppConfig+Observability.swift).
    var metrics = MetricsSettings()
    /// Log format and level (`log.*`, read in AppConfig+Observability.swift).
    var log = LogSettings()
    /// This instance among several on one PostgreSQL store (`instance.*`, read in AppConfig+Instance.swift).
    var instance = InstanceSettings()

    /// The built-in sandbox (used when no account is configured, or when forced on).
    struct SandboxSettings: Sendable {
        /// nil = automatic: on exactly when no account is configured.
        var enabled: Bool?
        var host = "127.0.0.1"
        var port = 8081
        var gatewayPort = 8082
        /// Public base URL of the sandbox CDN (image links) when it is reached through another host.
        var publicBaseURL: String?
        var speedFactor = 1.0
        var accounts = 3
        var tileSize = 1024
        var timeoutMinutes = 5.0
        /// Serve the sandbox's fault-injection routes (`/sandbox/*`); off by default.
        var controlRoutes = false
        /// Channel n visible only to sandbox account n (`sandbox-token-n`): no fan-out of every job's
        /// messages to every account. Off by default.
        var privateChannels = false
    }

    /// Whether the sandbox runs in-process.
    var sandboxEnabled: Bool { sandbox.enabled ?? accounts.isEmpty }
}

/// A configuration problem, naming the key.
struct ConfigError: Error, CustomStringConvertible {
    var key: String
    var problem: String
    var description: String { "invalid configuration: \(key): \(problem)" }
}

/// Reads YAML and environment into `AppConfig`, rejecting unknown keys and wrong types by name.
enum ConfigLoader {
    /// Loads `path` (if given or `./mjproxy.yaml` exists), then applies `environment`.
    static func load(path: String?, environment: [String: String]) throws -> AppConfig {
        var config = AppConfig()
        let file = path ?? (FileManager.default.fileExists(atPath: "mjproxy.yaml") ? "mjproxy.yaml" : nil)
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigError(key: "--config", problem: "cannot read \(file)")
            }
            let node: Any?
            do { node = try Yams.load(yaml: text) } catch { throw ConfigError(key: file, problem: "not valid YAML (\(error))") }
            if let node {
                guard var root = node as? [String: Any] else { throw ConfigError(key: file, problem: "top level must be a mapping") }
                if let mj = root["mj"] {
                    // A novicezk midjourney-proxy application.yml: its `mj.` keys mapped onto ours.
                    root = try NovicezkConfig.translate(mj, rest: root, warnings: &config.warnings)
                }
                try apply(root, to: &config)
            }
            config.configPath = file
        }
        try applyEnvironment(environment, to: &config)
        try validate(config)
        return config
    }

    // MARK: typed readers

    static func map(_ v: Any, _ key: String) throws -> [String: Any] {
        guard let m = v as? [String: Any] else { throw ConfigError(key: key, problem: "must be a mapping") }
        return m
    }

    static func string(_ v: Any, _ key: String) throws -> String {
        if let s = v as? String { return s }
        if let i = v as? Int { return String(i) }
        throw ConfigError(key: key, problem: "must be a string")
    }

    static func int(_ v: Any, _ key: String) throws -> Int {
        if let i = v as? Int { return i }
        if let s = v as? String, let i = Int(s) { return i }
        throw ConfigError(key: key, problem: "must be an integer")
    }

    static func double(_ v: Any, _ key: String) throws -> Double {
        let parsed: Double? = (v as? Double) ?? (v as? Int).map(Double.init) ?? (v as? String).flatMap(Double.init)
        // Infinity and NaN (YAML `.inf`, `.nan`, env `inf`) would trap wherever they become durations or sizes.
        guard let d = parsed, d.isFinite else { throw ConfigError(key: key, problem: "must be a finite number") }
        return d
    }

    static func bool(_ v: Any, _ key: String) throws -> Bool {
        if let b = v as? Bool { return b }
        if let s = v as? String, ["true", "false", "1", "0", "yes", "no"].contains(s.lowercased()) { return ["true", "1", "yes"].contains(s.lowercased()) }
        throw ConfigError(key: key, problem: "must be true or false")
    }

    static func unknown(_ key: String, allowed: [String]) -> ConfigError {
        ConfigError(key: key, problem: "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
    }

    // MARK: YAML

    static func apply(_ root: [String: Any], to c: inout AppConfig) throws {
        let sections = [
            "http", "api", "admin", "reload", "auth", "locale", "store", "webhook", "task", "discord", "accounts", "sandbox", "translate", "bannedWords", "outbound", "scheduling",
            "account", "verification", "images", "metrics", "log", "instance",
        ]
        for (k, v) in root {
            switch k {
            case "http":
                for (hk, hv) in try map(v, "http") {
                    let key = "http.\(hk)"
                    switch hk {
                    case "host": c.host = try string(hv, key)
                    case "port": c.port = try int(hv, key)
                    default: throw unknown(key, allowed: ["host", "port"])
                    }
                }
            case "api":
                for (ak, av) in try map(v, "api") {
                    switch ak {
                    case "secret": c.apiSecret = try string(av, "api.secret")
                    default: throw unknown("api.\(ak)", allowed: ["secret"])
                    }
                }
            case "admin":
                for (ak, av) in try map(v, "admin") {
                    switch ak {
                    case "secret": c.adminSecret = try string(av, "admin.secret")
                    default: throw unknown("admin.\(ak)", allowed: ["secret"])
                    }
                }
            case "reload":
                for (rk, rv) in try map(v, "reload") {
                    switch rk {
                    case "pollSeconds": c.reloadPollSeconds = try double(rv, "reload.pollSeconds")
                    default: throw unknown("reload.\(rk)", allowed: ["pollSeconds"])
                    }
                }
            case "auth":
                for (ak, av) in try map(v, "auth") {
                    switch ak {
                    case "imageSeedWithoutSecret": c.imageSeedWithoutSecret = try bool(av, "auth.imageSeedWithoutSecret")
                    default: throw unknown("auth.\(ak)", allowed: ["imageSeedWithoutSecret"])
                    }
                }
            case "translate":
                for (tk, tv) in try map(v, "translate") {
                    let key = "translate.\(tk)"
                    switch tk {
                    case "way":
                        let way = try string(tv, key).lowercased()
                        guard ["none", "baidu", "openai"].contains(way) else { throw ConfigError(key: key, problem: "must be none, baidu or openai") }
                        c.translateWay = way
                    case "baidu":
                        for (bk, bv) in try map(tv, key) {
                            switch bk {
                            case "appId": c.baiduAppId = try string(bv, "\(key).appId")
                            case "appSecret": c.baiduAppSecret = try string(bv, "\(key).appSecret")
                            case "endpoint": c.baiduEndpoint = try string(bv, "\(key).endpoint")
                            default: throw unknown("\(key).\(bk)", allowed: ["appId", "appSecret", "endpoint"])
                            }
                        }
                    case "openai":
                        for (ok, ov) in try map(tv, key) {
                            switch ok {
                            case "baseUrl": c.openaiBaseURL = try string(ov, "\(key).baseUrl")
                            case "apiKey": c.openaiAPIKey = try string(ov, "\(key).apiKey")
                            case "model": c.openaiModel = try string(ov, "\(key).model")
                            default: throw unknown("\(key).\(ok)", allowed: ["baseUrl", "apiKey", "model"])
                            }
                        }
                    default: throw unknown(key, allowed: ["way", "baidu", "openai"])
                    }
                }
            case "bannedWords":
                for (bk, bv) in try map(v, "bannedWords") {
                    switch bk {
                    case "words":
                        guard let list = bv as? [Any] else { throw ConfigError(key: "bannedWords.words", problem: "must be a list") }
                        c.bannedWords = try list.map { try string($0, "bannedWords.words") }
                    case "file": c.bannedWordsFile = try string(bv, "bannedWords.file")
                    default: throw unknown("bannedWords.\(bk)", allowed: ["words", "file"])
                    }
                }
            case "outbound":
                for (ok, ov) in try map(v, "outbound") {
                    let key = "outbound.\(ok)"
                    switch ok {
                    case "allowPrivateNetworks": c.outboundAllowPrivateNetworks = try bool(ov, key)
                    case "allowHosts":
                        guard let list = ov as? [Any] else { throw ConfigError(key: key, problem: "must be a list") }
                        c.outboundAllowHosts = try list.map { try string($0, key) }
                    default: throw unknown(key, allowed: ["allowPrivateNetworks", "allowHosts"])
                    }
                }
            case "account":
                for (ak, av) in try map(v, "account") {
                    let key = "account.\(ak)"
                    switch ak {
                    case "infoIntervalMinutes": c.accountInfoIntervalMinutes = try double(av, key)
                    case "autoRelax": c.accountAutoRelax = try bool(av, key)
                    case "maxConnectFailures": c.accountMaxConnectFailures = try int(av, key)
                    case "resendUnconfirmedSeconds": c.accountResendUnconfirmedSeconds = try double(av, key)
                    default: throw unknown(key, allowed: ["infoIntervalMinutes", "autoRelax", "maxConnectFailures", "resendUnconfirmedSeconds"])
                    }
                }
            case "verification":
                for (vk, vv) in try map(v, "verification") {
                    switch vk {
                    case "hookUrl": c.verificationHookURL = try string(vv, "verification.hookUrl")
                    default: throw unknown("verification.\(vk)", allowed: ["hookUrl"])
                    }
                }
            case "scheduling":
                for (sk, sv) in try map(v, "scheduling") {
                    switch sk {
                    case "rule": c.schedulingRule = try schedulingRule(try string(sv, "scheduling.rule"), "scheduling.rule")
                    default: throw unknown("scheduling.\(sk)", allowed: ["rule"])
                    }
                }
            case "images": try applyImages(v, to: &c)
            case "metrics": try applyMetrics(v, to: &c)
            case "log": try applyLog(v, to: &c)
            case "instance": try applyInstance(v, to: &c)
            case "locale":
                guard let l = TextLocale(rawValue: try string(v, "locale")) else { throw ConfigError(key: "locale", problem: "must be en or zh") }
                c.locale = l
            case "store":
                for (sk, sv) in try map(v, "store") {
                    switch sk {
                    case "path": c.storePath = try string(sv, "store.path")
                    case "url": c.storeURL = try string(sv, "store.url")
                    default: throw unknown("store.\(sk)", allowed: ["path", "url"])
                    }
                }
            case "webhook":
                for (wk, wv) in try map(v, "webhook") {
                    switch wk {
                    case "url": c.webhookURL = try string(wv, "webhook.url")
                    case "secret": c.webhookSecret = try string(wv, "webhook.secret")
                    default: throw unknown("webhook.\(wk)", allowed: ["url", "secret"])
                    }
                }
            case "task":
                for (tk, tv) in try map(v, "task") {
                    switch tk {
                    case "maxIdsPerQuery": c.maxIdsPerQuery = try int(tv, "task.maxIdsPerQuery")
                    case "autoAppeal": c.autoAppeal = try bool(tv, "task.autoAppeal")
                    case "eventsPingSeconds": c.eventsPingSeconds = try double(tv, "task.eventsPingSeconds")
                    default: throw unknown("task.\(tk)", allowed: ["maxIdsPerQuery", "autoAppeal", "eventsPingSeconds"])
                    }
                }
            case "discord":
                for (dk, dv) in try map(v, "discord") {
                    let key = "discord.\(dk)"
                    switch dk {
                    case "gatewayUrl": c.discord.gatewayURL = try string(dv, key)
                    case "apiBase": c.discord.apiBase = try string(dv, key)
                    case "cdnBase": c.discord.cdnBase = try string(dv, key)
                    case "uploadBase": c.discord.uploadBase = try string(dv, key)
                    case "proxy": c.discordProxy = try string(dv, key)
                    default: throw unknown(key, allowed: ["gatewayUrl", "apiBase", "cdnBase", "uploadBase", "proxy"])
                    }
                }
            case "accounts":
                guard let list = v as? [Any] else { throw ConfigError(key: "accounts", problem: "must be a list") }
                c.accounts = try list.enumerated().map { try account($1, "accounts[\($0)]") }
                // The fields each account sets: they win over the stored account's values at start and reload.
                for (item, a) in zip(list, c.accounts) {
                    let keys = ((item as? [String: Any])?.keys).map { Set($0.map { $0 == "enable" ? "enabled" : $0 }) } ?? []
                    c.accountFields[a.id] = keys.union(["id"])
                }
            case "sandbox":
                for (sk, sv) in try map(v, "sandbox") {
                    let key = "sandbox.\(sk)"
                    switch sk {
                    case "enabled": c.sandbox.enabled = try bool(sv, key)
                    case "host": c.sandbox.host = try string(sv, key)
                    case "port": c.sandbox.port = try int(sv, key)
                    case "gatewayPort": c.sandbox.gatewayPort = try int(sv, key)
                    case "publicBaseUrl": c.sandbox.publicBaseURL = try string(sv, key)
                    case "speedFactor": c.sandbox.speedFactor = try double(sv, key)
                    case "accounts": c.sandbox.accounts = try int(sv, key)
                    case "tileSize": c.sandbox.tileSize = try int(sv, key)
                    case "timeoutMinutes": c.sandbox.timeoutMinutes = try double(sv, key)
                    case "controlRoutes": c.sandbox.controlRoutes = try bool(sv, key)
                    case "privateChannels": c.sandbox.privateChannels = try bool(sv, key)
                    default:
                        throw unknown(
                            key,
                            allowed: [
                                "enabled", "host", "port", "gatewayPort", "publicBaseUrl", "speedFactor", "accounts", "tileSize",
                                "timeoutMinutes", "controlRoutes", "privateChannels",
                            ])
                    }
                }
            default:
                throw unknown(k, allowed: sections)
            }
        }
    }

    static func account(_ v: Any, _ key: String) throws -> AccountConfig {
        let m = try map(v, key)
        func req(_ name: String) throws -> String {
            guard let x = m[name] else { throw ConfigError(key: "\(key).\(name)", problem: "is required") }
            return try string(x, "\(key).\(name)")
        }
        var a = AccountConfig(guildId: try req("guildId"), channelId: try req("channelId"), userToken: try req("userToken"))
        for (k, x) in m {
            let path = "\(key).\(k)"
            switch k {
            case "guildId", "channelId", "userToken": break
            case "id": a.id = try string(x, path)
            case "userAgent": a.userAgent = try string(x, path)
            case "enabled", "enable": a.enabled = try bool(x, path)
            case "coreSize": a.coreSize = try int(x, path)
            case "queueSize": a.queueSize = try int(x, path)
            case "timeoutMinutes": a.timeoutMinutes = try double(x, path)
            case "remark": a.remark = try string(x, path)
            case "weight": a.weight = try int(x, path)
            case "mjBotChannelId": a.mjBotChannelId = try string(x, path)
            case "nijiBotChannelId": a.nijiBotChannelId = try string(x, path)
            case "remixAutoSubmit": a.remixAutoSubmit = try bool(x, path)
            case "botTypes": a.botTypes = Set(try list(x, path).map { try enumValue(BotType.self, $0, path) })
            case "allowedModes": a.allowedModes = Set(try list(x, path).map { try enumValue(SpeedMode.self, $0, path) })
            case "fixedMode": a.fixedMode = try enumValue(SpeedMode.self, x, path)
            case "dailyLimit": a.dailyLimit = try int(x, path)
            case "workWindow": a.workWindow = try string(x, path)
            case "minSubmitInterval": a.minSubmitInterval = try double(x, path)
            case "subChannels": a.subChannels = try list(x, path).map { try string($0, path) }
            case "proxy": a.proxy = try string(x, path)
            default:
                throw unknown(
                    path,
                    allowed: [
                        "id", "guildId", "channelId", "userToken", "userAgent", "enabled", "coreSize", "queueSize", "timeoutMinutes", "remark",
                        "weight", "mjBotChannelId", "nijiBotChannelId", "remixAutoSubmit", "botTypes", "allowedModes", "fixedMode", "dailyLimit",
                        "workWindow", "minSubmitInterval", "subChannels", "proxy",
                    ])
            }
        }
        return a
    }

    static func list(_ v: Any, _ key: String) throws -> [Any] {
        guard let l = v as? [Any] else { throw ConfigError(key: key, problem: "must be a list") }
        return l
    }

    /// An enum value by its raw value, case-insensitively (`FAST`, `fast`; `MID_JOURNEY`, `mid_journey`).
    static func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ v: Any, _ key: String) throws -> E where E.RawValue == String {
        let text = try string(v, key)
        guard let e = E.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw ConfigError(key: key, problem: "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    static func schedulingRule(_ text: String, _ key: String) throws -> SchedulingRule {
        guard let rule = SchedulingRule(rawValue: text.lowercased()) else {
            throw ConfigError(key: key, problem: "must be one of \(SchedulingRule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return rule
    }

    // MARK: environment

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
