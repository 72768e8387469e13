import DiscordKit
import Foundation
import ImageMirror
import PostgresStorage
import ProxyCore
import Yams

/// The YAML file: every section and key, by name.
extension ConfigLoader {
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
}
