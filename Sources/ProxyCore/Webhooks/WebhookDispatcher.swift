import Crypto
import DiscordKit
import Foundation
import Logging
import ServiceLifecycle

/// Webhook settings (contract §9).
public struct WebhookSettings: Sendable {
    /// Global hook for tasks without their own `notifyHook`.
    public var globalHook: String?
    /// When set, every delivery carries `X-Mjproxy-Signature: sha256=<hmac>`.
    public var secret: String?
    public var firstRetryDelay: Duration
    public var maxRetryDelay: Duration
    /// How long a state is retried (from when it was recorded) before it is given up.
    public var giveUpAfter: Duration
    public var requestTimeout: Duration
    public var userAgent: String
    /// How often the outbox is looked at when nothing wakes the dispatcher (retries that come due).
    public var pollInterval: Duration
    /// Deliveries in flight at once (each to a different task).
    public var concurrency: Int

    /// Creates settings with the contract's timings.
    public init(
        globalHook: String? = nil, secret: String? = nil, firstRetryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(60),
        giveUpAfter: Duration = .seconds(600), requestTimeout: Duration = .seconds(10), userAgent: String = "mjproxy/0.1.0",
        pollInterval: Duration = .milliseconds(500), concurrency: Int = 32
    ) {
        self.globalHook = globalHook
        self.secret = secret
        self.firstRetryDelay = firstRetryDelay
        self.maxRetryDelay = maxRetryDelay
        self.giveUpAfter = giveUpAfter
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
        self.pollInterval = pollInterval
        self.concurrency = concurrency
    }

    /// Which changes become deliveries.
    public var plan: WebhookPlan { WebhookPlan(globalHook: globalHook) }

    /// The wait before attempt `attempts + 1` after `attempts` failures: 1 s doubling, capped.
    public func retryDelay(afterAttempts attempts: Int) -> Duration {
        var delay = firstRetryDelay
        for _ in 1..<max(1, min(attempts, 32)) where delay < maxRetryDelay { delay = delay * 2 }
        return min(delay, maxRetryDelay)
    }
}

/// How a delivery reaches its receiver (the outbound policy's HTTP client in production).
public protocol WebhookTransport: Sendable {
    /// POSTs `body`; returns the HTTP status (redirects are not followed). Throws on network errors.
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int
}

/// Delivers the store's webhook outbox: per task in order (only the oldest pending delivery of a
/// task is ever in flight), at least once (a delivery leaves the outbox only after a 2xx, or when
/// superseded or given up), retried with doubling back-off across restarts. A state superseded by a
/// newer one of the same task is dropped (contract §9). Never blocks task processing: the registry
/// only writes rows and wakes it. On shutdown, in-flight requests are cancelled and stay in the outbox.
public final class WebhookDispatcher: Service, TaskEventSink, Sendable {
    /// The settings now (the global hook and secret change with a config reload).
    public var settings: WebhookSettings { settingsBox.value }
    private let settingsBox: Locked<WebhookSettings>
    private let store: any TaskStore
    private let transport: any WebhookTransport
    private let logger: Logger
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// Tasks with a delivery in flight.
    private let inFlight = Locked<Set<String>>([])
    /// Counters by result (`ok`, `retry`, `dropped`, `gave_up`), for metrics and tests.
    public let counters = Locked<[String: Int]>([:])
    /// The same results as Prometheus counters (`mjproxy_webhook_deliveries_total{result}`).
    private let metrics: ProxyMetrics

    /// Creates a dispatcher over `store`'s outbox.
    public init(
        settings: WebhookSettings, store: any TaskStore, transport: any WebhookTransport, logger: Logger, metrics: ProxyMetrics = ProxyMetrics()
    ) {
        self.metrics = metrics
        self.settingsBox = Locked(settings)
        self.store = store
        self.transport = transport
        self.logger = logger
        (wakeStream, wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Replaces the settings (live configuration); deliveries in flight finish with the old ones.
    public func update(_ settings: WebhookSettings) { settingsBox.withLock { $0 = settings } }

    /// A new change was stored: look at the outbox now.
    public func taskChanged(_ task: MJTask, event: TaskEvent) async { wakeContinuation.yield() }

    /// Deliveries waiting in the outbox.
    public func pending() async -> Int { (try? await store.outboxDepth()) ?? 0 }

    public func run() async throws {
        let wake = wakeContinuation
        let interval = settings.pollInterval
        await withDiscardingTaskGroup { group in
            // A ticker so retries that come due are picked up without a change to wake us.
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    wake.yield()
                }
            }
            wake.yield()
            for await _ in wakeStream.cancelOnGracefulShutdown() {
                await dispatchDue(into: &group)
            }
            // Shutdown: cancel in-flight requests; their deliveries stay in the outbox for the next start.
            group.cancelAll()
        }
    }

    private func count(_ key: String) {
        counters.withLock { $0[key, default: 0] += 1 }
        metrics.webhookDelivery(result: key)
    }

    /// Starts a delivery for each task whose oldest pending delivery is due.
    private func dispatchDue(into group: inout DiscardingTaskGroup) async {
        let busy = inFlight.value
        let room = settings.concurrency - busy.count
        guard room > 0 else { return }
        let due: [OutboxDelivery]
        do {
            // Claimed: with several instances on one store, each delivery is sent by one of them.
            due = try await store.claimDueDeliveries(now: nowMillis(), limit: room, excluding: busy, claim: settings.requestTimeout * 6)
        } catch {
            logger.error("webhook outbox unreadable", metadata: ["error": "\(error)"])
            return
        }
        var dropped = false
        for d in due {
            if d.superseded {
                // A newer state of this task waits: this one is not sent (contract §9).
                try? await store.removeDelivery(id: d.id)
                count("dropped")
                dropped = true
                continue
            }
            guard inFlight.withLock({ $0.insert(d.taskId).inserted }) else { continue }
            group.addTask { await self.attempt(d) }
        }
        if dropped { wakeContinuation.yield() }
    }

    /// One attempt; then the row is removed (sent / given up) or rescheduled.
    private func attempt(_ d: OutboxDelivery) async {
        defer {
            inFlight.withLock { _ = $0.remove(d.taskId) }
            wakeContinuation.yield()
        }
        let ok = await send(d)
        if Task.isCancelled && !ok { return }  // shutting down: it stays in the outbox
        do {
            if ok {
                count("ok")
                try await store.removeDelivery(id: d.id)
                return
            }
            let now = nowMillis()
            let delay = settings.retryDelay(afterAttempts: d.attempts + 1)
            if now + delay.milliseconds - d.createdAt > settings.giveUpAfter.milliseconds {
                count("gave_up")
                logger.warning("webhook gave up", metadata: ["task": "\(d.taskId)", "event": "\(d.event.rawValue)"])
                try await store.removeDelivery(id: d.id)
                return
            }
            count("retry")
            try await store.rescheduleDelivery(id: d.id, attempts: d.attempts + 1, nextAttempt: now + delay.milliseconds)
        } catch {
            logger.error("webhook outbox write failed", metadata: ["task": "\(d.taskId)", "error": "\(error)"])
        }
    }

    /// The headers of a delivery (signature over the raw body when a secret is set).
    func headers(for d: OutboxDelivery) -> [(String, String)] {
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", settings.userAgent), ("X-Mjproxy-Event", d.event.rawValue),
            ("X-Mjproxy-Delivery", d.deliveryId), ("X-Mjproxy-Sequence", String(d.sequence)),
        ]
        if let secret = settings.secret, !secret.isEmpty {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(d.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            headers.append(("X-Mjproxy-Signature", "sha256=" + TextFormat.hex(mac)))
        }
        return headers
    }

    /// One POST; true on 2xx.
    private func send(_ d: OutboxDelivery) async -> Bool {
        do {
            let status = try await transport.post(url: d.url, headers: headers(for: d), body: Array(d.body.utf8), timeout: settings.requestTimeout)
            return (200..<300).contains(status)
        } catch {
            logger.debug("webhook delivery failed", metadata: ["task": "\(d.taskId)", "error": "\(error)"])
            return false
        }
    }
}

extension Duration {
    /// Whole milliseconds (saturating).
    var milliseconds: Int64 {
        let c = components
        let ms = c.seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return c.seconds < 0 ? .min : .max }
        return ms.partialValue.addingReportingOverflow(c.attoseconds / 1_000_000_000_000_000).overflow ? .max : ms.partialValue + c.attoseconds / 1_000_000_000_000_000
    }
}
