import AdminUI
import AsyncHTTPClient
import DiscordKit
import Foundation
import HTTPAPI
import Hummingbird
import ImageMirror
import Logging
import ProxyCore
import Prometheus
import Sandbox
import ServiceLifecycle
import UnixSignals
import Storage

/// The assembled product: store → registry → account pool → task service → HTTP API, plus the
/// webhook dispatcher and (in sandbox mode) the in-process sandbox. Every long-running part is a
/// Service of one ServiceGroup.
final class AppRuntime: Sendable {
    let config: AppConfig
    let registry: TaskRegistry
    let pool: AccountPool
    let service: TaskService
    let webhooks: WebhookDispatcher
    /// Copies task images to the mirror (nil when `images.mirror` is off) and serves its links.
    let images: ImageMirrorService?
    let imageServer: ImageServer?
    /// Live task events (SSE): fed by the registry, closed at shutdown before the HTTP server stops.
    let events = TaskEventHub()
    /// How many accounts run their after-connect `/info` and `/settings` at once (all accounts share it).
    let syncGate = SyncGate(limit: 8)
    /// Account events (`account.disabled` …) to the global webhook, captchas to the verification hook.
    let accountNotifier: AccountNotifier
    let sandbox: SandboxServer?
    let http: HTTPClient
    /// Discord HTTP clients, one per outbound proxy (accounts without one use `http`).
    let discordHTTP: ProxiedHTTPClients
    let store: any TaskStore
    /// What runs the store (PostgreSQL's connection pool); first in the ServiceGroup, so it stops last.
    let storeService: (any Service)?
    let logger: Logger
    /// This runtime's Prometheus registry (`GET /metrics`); the executable also bootstraps swift-metrics with it.
    let metricsRegistry: PrometheusCollectorRegistry
    /// Where this runtime's parts count: its own registry, never a process-wide one (tests run several runtimes).
    let metrics: ProxyMetrics
    /// Per-account and outbox gauges, set at each scrape.
    let gauges: ScrapeGauges
    private let apiPort: OneShot<Int>
    private let group = Locked<ServiceGroup?>(nil)
    private let recovered = Locked(false)
    /// Accounts as data (store + pool); the account API and config reloads go through it.
    let accounts: AccountManager
    /// Holds this instance's share of the accounts when several instances share the store (nil with SQLite).
    let keeper: LeaseKeeper?
    /// The sandbox's local base URL once it listens (sandbox mode), for accounts created later.
    private let sandboxBase = Locked<String?>(nil)
    /// The configuration now (a reload replaces the live parts; `config` stays what the process started with).
    let current: Locked<AppConfig>
    /// Outbound address rules now (`outbound.*`), read by every outbound policy at each check.
    let outboundRules: Locked<(allowPrivateNetworks: Bool, allowHosts: [String])>

    /// Opens the store and wires the parts; nothing runs until `run`.
    init(config: AppConfig, logger: Logger) async throws {
        let opened = try await OpenedStore.open(config, logger: logger)
        var config = config
        // Accounts created through the API count as configured: no automatic sandbox then.
        if config.sandbox.enabled == nil, config.accounts.isEmpty, opened.accounts.contains(where: { $0.origin == .api }) {
            config.sandbox.enabled = false
        }
        self.config = config
        self.logger = logger
        current = Locked(config)
        for warning in config.warnings { logger.warning("\(warning)") }
        let outboundRules = Locked((allowPrivateNetworks: config.outboundAllowPrivateNetworks, allowHosts: config.outboundAllowHosts))
        self.outboundRules = outboundRules
        store = opened.store
        storeService = opened.service
        let metricsRegistry = PrometheusCollectorRegistry()
        self.metricsRegistry = metricsRegistry
        let metrics = ProxyMetrics(factory: Self.metricsFactory(metricsRegistry))
        self.metrics = metrics
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: ProxiedHTTPClients.configuration())
        discordHTTP = ProxiedHTTPClients(direct: http)
        let webhookSettings = WebhookSettings(globalHook: config.webhookURL, secret: config.webhookSecret)
        let apiPort = OneShot<Int>()
        self.apiPort = apiPort
        // Webhook targets are client-given (notifyHook) or configured (webhook.url): both follow the
        // outbound policy, and the proxy's own API is never one.
        let configuredPort = config.port
        var webhookPolicy = OutboundPolicy(
            allowPrivateNetworks: config.outboundAllowPrivateNetworks, allowHosts: config.outboundAllowHosts, trustedBaseURLs: [],
            ownAPIPort: { apiPort.current ?? configuredPort })
        webhookPolicy.liveRules = { outboundRules.value }
        webhooks = WebhookDispatcher(
            settings: webhookSettings, store: store, transport: OutboundHTTP(policy: webhookPolicy, userAgent: webhookSettings.userAgent, logger: logger),
            logger: logger, metrics: metrics)
        registry = TaskRegistry(store: store, sinks: [webhooks], webhooks: webhookSettings.plan, logger: logger, metrics: metrics)
        accountNotifier = AccountNotifier(
            globalHook: config.webhookURL, verificationHook: config.verificationHookURL, secret: config.webhookSecret,
            transport: OutboundHTTP(policy: webhookPolicy, userAgent: webhookSettings.userAgent, logger: logger))
        let imageHooks = ImageMirrorHooks()
        (images, imageServer) = Self.makeImageMirror(
            config: config, registry: registry, http: http, apiPort: apiPort, hooks: imageHooks, sharedKey: opened.sharedImageSigningKey, logger: logger)
        if let images { await registry.addSink(images) }
        await registry.addSink(events)
        pool = AccountPool(registry: registry, rule: config.schedulingRule)
        let makeAccount = Locked<AccountManager.Factory?>(nil)
        accounts = AccountManager(
            pool: pool, store: opened.store, registry: registry, locale: config.locale, leased: opened.leases != nil, logger: logger
        ) { account in
            guard let make = makeAccount.value else { fatalError("account factory used before the runtime was built") }
            return await make(account)
        }
        service = TaskService(
            registry: registry, pool: pool, locale: config.locale, prompts: Self.promptPolicy(config, http: http, logger: logger), logger: logger)
        keeper = await Self.makeLeaseKeeper(opened, config: config, accounts: accounts, service: service, logger: logger)
        let dispatcher = webhooks
        gauges = ScrapeGauges(metrics: metrics, pool: pool, outboxDepth: { await dispatcher.pending() })
        if config.sandboxEnabled {
            sandbox = SandboxServer(
                configuration: SandboxConfiguration(
                    host: config.sandbox.host, port: config.sandbox.port, gatewayPort: config.sandbox.gatewayPort,
                    publicBaseURL: config.sandbox.publicBaseURL, speedFactor: config.sandbox.speedFactor, tileSize: config.sandbox.tileSize,
                    channelCount: max(10, config.sandbox.accounts), controlRoutes: config.sandbox.controlRoutes,
                    privateChannels: config.sandbox.privateChannels),
                logger: Logger(label: "mjproxy.sandbox"))
        } else {
            sandbox = nil
        }
        // Accounts the manager creates (stored, API, reload) are built like every other account.
        makeAccount.withLock {
            $0 = { [weak self] account in
                guard let self else { fatalError("account created after the runtime ended") }
                return self.makeAccount(account, sandboxBase: self.sandboxBase.value)
            }
        }
        connectImageMirror(imageHooks)
    }

    /// The API's bound port once it listens.
    var port: Int? { apiPort.current }

    /// Waits until the API listens and returns its bound port (from `onServerRunning`); nil if cancelled first.
    func listeningPort() async -> Int? { await apiPort.value() }

    /// Accounts to create: the configured ones, or sandbox users when the sandbox runs and none are configured.
    func accountConfigs(sandboxBase: String?) -> (endpoints: DiscordEndpoints, accounts: [AccountConfig]) {
        guard let base = sandboxBase, let ws = sandbox?.gatewayURL, config.accounts.isEmpty else { return (config.discord, config.accounts) }
        let endpoints = DiscordEndpoints(gatewayURL: ws, apiBase: base + "/api/v9", activityBase: base + "/activity")
        let accounts = (1...config.sandbox.accounts).map { n in
            AccountConfig(
                guildId: SandboxIDs.guildId, channelId: SandboxIDs.channelId(n), userToken: SandboxIDs.accountToken(n),
                timeoutMinutes: config.sandbox.timeoutMinutes, remark: "sandbox account \(n)", remixAutoSubmit: config.sandboxRemixAutoSubmit)
        }
        return (endpoints, accounts)
    }

    /// Readiness for `/ready`.
    func readiness() async -> (Bool, JSONValue) {
        let (connected, enabled) = await accountCounts()
        var reasons: [JSONValue] = []
        if !recovered.value { reasons.append("startup recovery not finished") }
        do { try await store.ping() } catch { reasons.append("store unavailable") }
        let cluster = await clusterReadiness()
        reasons += cluster.reasons
        if connected == 0 && cluster.needsAccount { reasons.append("no connected account") }
        if reasons.isEmpty {
            var body: [(String, JSONValue)] = [("status", "READY"), ("accounts", ["connected": .int(Int64(connected)), "enabled": .int(Int64(enabled))])]
            body += cluster.fields
            return (true, .object(body))
        }
        return (false, ["status": "NOT_READY", "reasons": .array(reasons)])
    }

    /// Enabled accounts that are connected (and not paused), and all enabled accounts.
    func accountCounts() async -> (connected: Int, enabled: Int) {
        var connected = 0
        var enabled = 0
        for a in await pool.all where a.config.enabled {
            enabled += 1
            if await a.isAvailable { connected += 1 }
        }
        return (connected, enabled)
    }

    /// Whether start-up has settled: recovery done and every enabled account connected. Stops at the first
    /// account not connected (polled during start-up: asking all of a thousand busy accounts each time would
    /// add to the load it waits out).
    func startupSettled() async -> Bool {
        guard recovered.value else { return false }
        for a in await pool.all where a.config.enabled {
            guard await a.isAvailable else { return false }
        }
        return true
    }

    /// Adds one account to the pool (it connects at once), outside the account store (tests).
    func addAccount(_ account: AccountConfig, sandboxBase: String?) async throws {
        await pool.add(makeAccount(account, sandboxBase: sandboxBase))
    }

    /// The running account for a configuration: its REST client (through its proxy) and endpoints.
    func makeAccount(_ account: AccountConfig, sandboxBase: String?) -> DiscordAccount {
        let endpoints = accountConfigs(sandboxBase: sandboxBase).endpoints
        var restLogger = logger
        restLogger[metadataKey: "account"] = "\(account.id)"
        let rest = HTTPDiscordREST(
            configuration: RESTConfiguration(
                apiBase: endpoints.apiBase, token: account.userToken, userAgent: account.userAgent, uploadBase: endpoints.uploadBase),
            http: discordHTTP.client(for: discordProxy(for: account)),
            logger: restLogger, metrics: metrics.discord)
        return DiscordAccount(
            config: account, endpoints: endpoints, rest: rest, registry: registry, locale: config.locale,
            behaviour: AccountBehaviour(
                autoAppeal: config.autoAppeal,
                infoInterval: config.accountInfoIntervalMinutes > 0 ? .milliseconds(Int64(config.accountInfoIntervalMinutes * 60_000)) : nil,
                autoRelax: config.accountAutoRelax, maxConnectFailures: config.accountMaxConnectFailures > 0 ? config.accountMaxConnectFailures : nil,
                notifier: accountNotifier, discordProxy: globalDiscordProxy,
                resendUnconfirmedAfter: .milliseconds(Int64(config.accountResendUnconfirmedSeconds * 1000)), metrics: metrics,
                mayRun: leaseGate, syncGate: syncGate),
            logger: logger, outbound: outboundHTTP(trusting: endpoints))
    }

    /// The global Discord proxy (`discord.proxy`), validated at load.
    var globalDiscordProxy: OutboundProxy? { config.discordProxy.flatMap { $0.isEmpty ? nil : try? OutboundProxy(url: $0) } }

    /// The proxy an account's Discord traffic goes through: its own, else the global one.
    func discordProxy(for account: AccountConfig) -> OutboundProxy? {
        if let own = account.proxy, !own.isEmpty { return try? OutboundProxy(url: own) }
        return globalDiscordProxy
    }

    /// HTTP for client-given URLs (describe links, swap URLs, webhooks) under the configured outbound
    /// policy: `endpoints` and the sandbox are trusted, the API's own port is never a target.
    func outboundHTTP(trusting endpoints: DiscordEndpoints) -> OutboundHTTP {
        var trusted = [endpoints.gatewayURL, endpoints.apiBase] + [endpoints.cdnBase, endpoints.uploadBase, endpoints.activityBase].compactMap { $0 }
        trusted += [sandbox?.baseURL, sandbox?.localBaseURL, sandbox?.gatewayURL].compactMap { $0 }
        let apiPort = self.apiPort
        let configuredPort = config.port
        var policy = OutboundPolicy(
            allowPrivateNetworks: config.outboundAllowPrivateNetworks, allowHosts: config.outboundAllowHosts, trustedBaseURLs: trusted,
            ownAPIPort: { apiPort.current ?? configuredPort })
        let rules = outboundRules
        policy.liveRules = { rules.value }
        var http = OutboundHTTP(policy: policy, logger: logger)
        http.localImages = imageServer
        return http
    }

    /// Creates the accounts (after the sandbox listens, in sandbox mode) and recovers unfinished tasks.
    private func bootstrap() async throws {
        var base: String?
        if let sandbox {
            _ = try await sandbox.waitUntilListening()
            base = sandbox.localBaseURL
            logger.info("sandbox listening", metadata: ["url": "\(sandbox.baseURL ?? "")", "gateway": "\(sandbox.gatewayURL ?? "")"])
        }
        sandboxBase.withLock { $0 = base }
        let generated = config.accounts.isEmpty ? accountConfigs(sandboxBase: base).accounts : []
        await accounts.start(file: config.accounts, fileFields: config.accountFields, sandbox: generated)
        // With leases, an account's unfinished tasks are taken over when its lease is (LeaseKeeper).
        if keeper == nil { await service.recover() }
        recovered.withLock { $0 = true }
    }

    /// The API's responder: the route table the HTTP application serves (tests read it too).
    func makeResponder() -> APIResponder {
        APIResponder(
            configuration: APIConfiguration(
                apiSecret: config.apiSecret, adminSecret: config.adminSecret, locale: config.locale, maxIdsPerQuery: config.maxIdsPerQuery,
                imageSeedWithoutSecret: config.imageSeedWithoutSecret, eventsPingInterval: .milliseconds(Int64(config.eventsPingSeconds * 1000))),
            service: service, accounts: accounts, readiness: { [self] in await self.readiness() }, images: imageServer, events: events,
            metrics: metricsEndpoint, logger: logger)
    }

    /// The HTTP application.
    func makeApplication() -> some ApplicationProtocol {
        let api = makeResponder()
        // `/admin…` to the operators' web UI, the rest to the API.
        let responder = AdminFrontResponder(api: api, admin: makeAdminUI(api: api))
        let apiPort = self.apiPort
        let logger = self.logger
        // A connection idle (no request part read, no answer pending) for 60 s is closed: a slow or silent
        // client cannot hold it forever (request bodies also have a read deadline in APIResponder).
        return Application(
            responder: MiddlewareWrappedResponder(HTTPMetricsMiddleware(factory: metrics.factory), before: responder),
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                apiPort.fulfil(port)
                logger.info("mjproxy API listening", metadata: ["port": "\(port)"])
            }, logger: logger)
    }

    /// Runs every service until SIGINT/SIGTERM (or cancellation).
    /// `gracefulShutdownLimit`: how long a graceful stop may take before what is left is cancelled; by default
    /// 6 s with signals (SIGTERM ends within 10 s), 30 s without (tests: several runtimes in one loaded process,
    /// where escalating cancels Hummingbird servers, which can trap in NIO when a connection comes in then).
    func run(signals: Bool = true, gracefulShutdownLimit: Duration? = nil) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let storeService { services.append(.init(service: storeService)) }
        if let sandbox { services.append(.init(service: sandbox)) }
        services.append(.init(service: webhooks))
        if let images { services.append(.init(service: images)) }
        services.append(.init(service: pool))
        services.append(.init(service: accounts))
        // After pool and accounts: at shutdown it stops first, handing its accounts over before they stop.
        services += clusterServices()
        services.append(.init(service: ConfigReloader(runtime: self, sighup: signals), successTerminationBehavior: .ignore))
        services.append(.init(service: Bootstrap { try await self.bootstrap() }, successTerminationBehavior: .ignore))
        services.append(.init(service: makeApplication()))
        // After the API: shutdown runs in reverse order, so open event streams end before the server
        // waits for its connections to finish.
        services.append(.init(service: events))
        // SIGTERM ends within 10 s: what has not stopped gracefully after 6 s is cancelled, and a process still
        // running at 9 s exits (undelivered webhooks stay in the store's outbox; unfinished tasks are recovered
        // at the next start). Not for runtimes without signals (tests run several in one process).
        if signals { services.append(.init(service: ShutdownDeadline(limit: .seconds(9), logger: logger), successTerminationBehavior: .ignore)) }
        if signals {
            let trim = WorkingSetTrim(settled: { await self.startupSettled() }, settleLimit: .seconds(60), quiet: .seconds(3), logger: logger)
            services.append(.init(service: trim, successTerminationBehavior: .ignore))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = gracefulShutdownLimit ?? (signals ? .seconds(6) : .seconds(30))
        // No ServiceLifecycle cancellation limit: overrunning it is a fatal error (a crash), see ShutdownDeadline.
        groupConfiguration.maximumCancellationDuration = nil
        let group = ServiceGroup(configuration: groupConfiguration)
        self.group.withLock { $0 = group }
        do {
            try await group.run()
        } catch {
            await discordHTTP.shutdown()
            try? await http.shutdown()
            try? await store.close()
            throw error
        }
        await discordHTTP.shutdown()
        try await http.shutdown()
        try await store.close()
    }
}

extension AppRuntime {
    /// Stops every service gracefully (what SIGTERM does); `run` then returns.
    func shutdown() async {
        await group.value?.triggerGracefulShutdown()
    }
}

/// A one-shot startup step run as a Service (its end does not stop the group).
struct Bootstrap: Service {
    let work: @Sendable () async throws -> Void
    func run() async throws { try await work() }
}
