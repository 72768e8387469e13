import AdminUI
import DiscordKit
import Foundation
import HTTPAPI
import ImageMirror
import Hummingbird
import ProxyCore

extension AppRuntime {
    /// The admin web UI over the API responder (`/admin`, guarded by `admin.secret`).
    func makeAdminUI(api: APIResponder) -> AdminUI {
        let current = self.current
        let settings = AdminSettings(
            adminSecret: config.adminSecret, defaultLanguage: config.locale == .zh ? .zh : .en,
            configuration: { Self.adminRows(current.value) },
            bannedWords: { (current.value.bannedWords, current.value.bannedWordsFile) })
        return AdminUI(api: api, service: service, accounts: accounts, settings: settings, logger: logger)
    }

    /// The configuration page's rows: the settings an operator checks first; secrets flagged so
    /// the page shows only whether they are set (a PostgreSQL URL may carry a password: masked too).
    static func adminRows(_ c: AppConfig) -> [AdminConfigRow] {
        func text(_ v: Any?) -> String? { v.map { "\($0)" } }
        return [
            AdminConfigRow(key: "http.host", value: c.host), AdminConfigRow(key: "http.port", value: String(c.port)),
            AdminConfigRow(key: "api.secret", value: c.apiSecret, secret: true),
            AdminConfigRow(key: "admin.secret", value: c.adminSecret, secret: true),
            AdminConfigRow(key: "locale", value: c.locale.rawValue),
            AdminConfigRow(key: "store.path", value: c.storePath), AdminConfigRow(key: "store.url", value: c.storeURL, secret: true),
            AdminConfigRow(key: "webhook.url", value: redactedURL(c.webhookURL)), AdminConfigRow(key: "webhook.secret", value: c.webhookSecret, secret: true),
            AdminConfigRow(key: "task.maxIdsPerQuery", value: String(c.maxIdsPerQuery)),
            AdminConfigRow(key: "task.eventsPingSeconds", value: text(c.eventsPingSeconds)),
            AdminConfigRow(key: "accounts", value: String(c.accounts.count)),
            AdminConfigRow(key: "sandbox.enabled", value: String(c.sandboxEnabled)),
            AdminConfigRow(key: "translate.way", value: c.translateWay),
            AdminConfigRow(key: "translate.baidu.appSecret", value: c.baiduAppSecret, secret: true),
            AdminConfigRow(key: "translate.openai.apiKey", value: c.openaiAPIKey, secret: true),
            AdminConfigRow(key: "bannedWords.file", value: c.bannedWordsFile),
            AdminConfigRow(key: "outbound.allowPrivateNetworks", value: String(c.outboundAllowPrivateNetworks)),
            AdminConfigRow(key: "scheduling.rule", value: text(c.schedulingRule)),
            AdminConfigRow(key: "discord.proxy", value: c.discordProxy, secret: true),
            AdminConfigRow(key: "verification.hookUrl", value: redactedURL(c.verificationHookURL)),
            AdminConfigRow(key: "images.mirror", value: text(c.images.backend)),
            AdminConfigRow(key: "images.signingKey", value: c.images.signingKey, secret: true),
            AdminConfigRow(key: "images.s3.accessKey", value: c.images.s3.accessKey, secret: true),
            AdminConfigRow(key: "images.s3.secretKey", value: c.images.s3.secretKey, secret: true),
            AdminConfigRow(key: "metrics.secret", value: c.metrics.secret, secret: true),
            AdminConfigRow(key: "log.format", value: text(c.log.format)),
        ]
    }

    /// A hook URL as the configuration page shows it: credentials in its user part and its query (where
    /// hook services put tokens) replaced by `***`; a value that is not a URL is not shown at all.
    static func redactedURL(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return value }
        guard var parts = URLComponents(string: value), parts.host != nil else { return "***" }
        if parts.user != nil || parts.password != nil {
            parts.user = "***"
            parts.password = nil
        }
        if parts.query != nil { parts.query = "***" }
        parts.fragment = nil
        return parts.string ?? "***"
    }
}
