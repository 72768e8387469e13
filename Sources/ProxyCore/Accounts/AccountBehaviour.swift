import DiscordKit
import Foundation

/// Behaviour switches shared by all accounts.
public struct AccountBehaviour: Sendable {
    /// Press Midjourney's "Appeal" button on `Action needed to continue` instead of failing (Plus "auto appeal").
    public var autoAppeal: Bool
    /// Read `/settings` (remix, mode) of both bots after each new session.
    public var syncSettings: Bool
    /// How often `/info` is read again (jittered ±10 %); nil = only at connect.
    public var infoInterval: Duration?
    /// Switch to relax when fast time runs out, and back to fast when it returns.
    public var autoRelax: Bool
    /// Connections in a row failing before READY after which the account is disabled; nil = never.
    public var maxConnectFailures: Int?
    /// Where operator events and verification requests go; nil = log only.
    public var notifier: AccountNotifier?
    /// Global outbound proxy for Discord (REST and gateway) of accounts without their own `proxy`.
    public var discordProxy: OutboundProxy?
    /// After a restart, a task whose POST may not have reached Discord is sent again when no bot message
    /// came for it this long (Discord makes bots answer within 3 s; Midjourney posts a start at once).
    public var resendUnconfirmedAfter: Duration
    /// Where gateway reconnects and resumes are counted.
    public var metrics: ProxyMetrics
    /// Asked right before a job is sent (several instances on one store): whether this instance still holds
    /// the account's lease; false = the job is not sent (the account is moving to another instance).
    public var mayRun: (@Sendable (_ accountId: String) async -> Bool)?
    /// Shared by the pool's accounts: how many run their after-connect `/info` and `/settings` at once.
    public var syncGate: SyncGate

    /// Creates the switches.
    public init(
        autoAppeal: Bool = false, syncSettings: Bool = true, infoInterval: Duration? = .seconds(1800), autoRelax: Bool = true,
        maxConnectFailures: Int? = 5, notifier: AccountNotifier? = nil, discordProxy: OutboundProxy? = nil,
        resendUnconfirmedAfter: Duration = .seconds(30), metrics: ProxyMetrics = ProxyMetrics(),
        mayRun: (@Sendable (_ accountId: String) async -> Bool)? = nil, syncGate: SyncGate = SyncGate()
    ) {
        self.syncGate = syncGate
        self.mayRun = mayRun
        self.metrics = metrics
        self.resendUnconfirmedAfter = resendUnconfirmedAfter
        self.discordProxy = discordProxy
        self.autoAppeal = autoAppeal
        self.syncSettings = syncSettings
        self.infoInterval = infoInterval
        self.autoRelax = autoRelax
        self.maxConnectFailures = maxConnectFailures
        self.notifier = notifier
    }
}
