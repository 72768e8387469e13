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

