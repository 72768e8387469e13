import Foundation

/// Reads a novicezk midjourney-proxy 2.x `application.yml` (keys under `mj.`, Spring's kebab-case)
/// by rewriting it into mjproxy's configuration tree, which `ConfigLoader.apply` then checks like any
/// other file. Keys mjproxy has no equivalent for are skipped with one warning each.
///
/// Mapping: `mj.accounts[]` (and the older single `mj.discord`) → `accounts[]` (`guild-id`,
/// `channel-id`, `user-token`, `user-agent`, `enable`, `core-size`, `queue-size`, `timeout-minutes`);
/// `mj.api-secret` → `api.secret`; `mj.notify-hook` → `webhook.url`; `mj.translate-way`
/// (`BAIDU`/`GPT`/`NULL`) → `translate.way`; `mj.baidu-translate` → `translate.baidu`; `mj.openai` →
/// `translate.openai`; `mj.ng-discord` → `discord.*` endpoints; `mj.proxy` (`host`, `port`) →
/// `discord.proxy`; `server.port` → `http.port`. Other top-level mjproxy sections pass through.
enum NovicezkConfig {
    /// mjproxy's sections that may sit beside `mj:` (e.g. `sandbox`, `admin`) and pass through unchanged.
    static let passThrough: Set<String> = [
        "http", "api", "admin", "reload", "auth", "locale", "store", "webhook", "task", "discord", "accounts", "sandbox", "translate",
        "bannedWords", "outbound", "scheduling",
    ]

    /// The mjproxy tree for a file whose top level has `mj` (given as `mj`; `rest` is the whole top level).
    static func translate(_ mj: Any, rest: [String: Any], warnings: inout [String]) throws -> [String: Any] {
        let m = try ConfigLoader.map(mj, "mj")
        var out: [String: Any] = [:]
        func section(_ name: String) -> [String: Any] { out[name] as? [String: Any] ?? [:] }
        func set(_ path: String, _ key: String, _ value: Any) {
            var s = section(path)
            s[key] = value
            out[path] = s
        }
        func warn(_ key: String) { warnings.append("novicezk key \(key) is not supported by mjproxy: ignored") }

        for (k, v) in rest where k != "mj" {
            if k == "server", let server = v as? [String: Any] {
                for (sk, sv) in server {
                    if sk == "port" { set("http", "port", sv) } else { warn("server.\(sk)") }
                }
            } else if passThrough.contains(k) {
                out[k] = v
            } else {
                warn(k)
            }
        }
        var accounts: [Any] = []
        for (k, v) in m {
            let key = "mj.\(k)"
            switch k {
            case "accounts":
                guard let list = v as? [Any] else { throw ConfigError(key: key, problem: "must be a list") }
                for (i, item) in list.enumerated() { accounts.append(try account(item, "\(key)[\(i)]", &warnings)) }
            case "discord":
                // novicezk before 2.5: one account under mj.discord.
                let d = try ConfigLoader.map(v, key)
                if d["user-token"] != nil || d["channel-id"] != nil { accounts.insert(try account(d, key, &warnings), at: 0) }
            case "api-secret":
                if let s = v as? String, !s.isEmpty { set("api", "secret", s) }
            case "notify-hook":
                if let s = v as? String, !s.isEmpty { set("webhook", "url", s) }
            case "translate-way":
                let way = (v as? String)?.uppercased() ?? "NULL"
                switch way {
                case "BAIDU": set("translate", "way", "baidu")
                case "GPT": set("translate", "way", "openai")
                case "NULL", "": set("translate", "way", "none")
                default: throw ConfigError(key: key, problem: "must be BAIDU, GPT or NULL")
                }
            case "baidu-translate":
                var baidu: [String: Any] = [:]
                for (bk, bv) in try ConfigLoader.map(v, key) {
                    switch bk {
                    case "appid": baidu["appId"] = bv
                    case "app-secret": baidu["appSecret"] = bv
                    default: warn("\(key).\(bk)")
                    }
                }
                var t = section("translate")
                t["baidu"] = baidu
                out["translate"] = t
            case "openai":
                var openai: [String: Any] = [:]
                for (ok, ov) in try ConfigLoader.map(v, key) {
                    switch ok {
                    case "gpt-api-url":
                        if let url = ov as? String, !url.isEmpty { openai["baseUrl"] = openAIBase(url) }
                    case "gpt-api-key": openai["apiKey"] = ov
                    case "model": openai["model"] = ov
                    default: warn("\(key).\(ok)")
                    }
                }
                var t = section("translate")
                t["openai"] = openai
                out["translate"] = t
            case "ng-discord":
                for (nk, nv) in try ConfigLoader.map(v, key) {
                    guard let url = nv as? String, !url.isEmpty else { continue }
                    let base = url.hasSuffix("/") ? String(url.dropLast()) : url
                    switch nk {
                    case "server": set("discord", "apiBase", base + "/api/v9")
                    case "cdn": set("discord", "cdnBase", base)
                    case "wss": set("discord", "gatewayUrl", base)
                    case "upload-server": set("discord", "uploadBase", base)
                    default: warn("\(key).\(nk)")
                    }
                }
            case "proxy":
                let p = try ConfigLoader.map(v, key)
                if let host = p["host"].map({ "\($0)" }), !host.isEmpty {
                    let port = p["port"].map { "\($0)" } ?? "80"
                    set("discord", "proxy", "http://\(host):\(port)")
                }
            case "task-store":
                // mjproxy keeps tasks in its SQLite store (store.path); redis/in_memory and their timeout do not apply.
                for tk in try ConfigLoader.map(v, key).keys.sorted() { warn("\(key).\(tk)") }
            default:
                warn(key)
            }
        }
        if !accounts.isEmpty { out["accounts"] = accounts }
        return out
    }

    /// One account in mjproxy's keys.
    static func account(_ v: Any, _ key: String, _ warnings: inout [String]) throws -> [String: Any] {
        let names = [
            "guild-id": "guildId", "channel-id": "channelId", "user-token": "userToken", "user-agent": "userAgent", "enable": "enabled",
            "core-size": "coreSize", "queue-size": "queueSize", "timeout-minutes": "timeoutMinutes", "remark": "remark", "weight": "weight",
        ]
        var a: [String: Any] = [:]
        for (k, x) in try ConfigLoader.map(v, key) {
            if let name = names[k] { a[name] = x } else { warnings.append("novicezk key \(key).\(k) is not supported by mjproxy: ignored") }
        }
        return a
    }

    /// novicezk's `gpt-api-url` is the server (`https://api.openai.com/`); mjproxy's base ends in `/v1`.
    static func openAIBase(_ url: String) -> String {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        return trimmed.hasSuffix("/v1") ? trimmed : trimmed + "/v1"
    }
}
