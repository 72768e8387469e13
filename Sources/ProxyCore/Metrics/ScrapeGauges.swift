import CoreMetrics

/// The gauges read at scrape time rather than kept up to date on every change: per account its queue
/// depth and running jobs (label `account`, bounded by the configured accounts), accounts per state
/// (`CONNECTING`, `READY`, `PAUSED_FOR_VERIFICATION`, `DISABLED`) and the webhook outbox depth.
/// Reading them costs one visit per account when Prometheus scrapes, nothing on the task path. The
/// gauges of an account that left the pool are removed at the next scrape.
public actor ScrapeGauges {
    private let metrics: ProxyMetrics
    private let pool: AccountPool
    private let outboxDepth: @Sendable () async -> Int
    /// Per-account gauges set at the last scrape, by account id.
    private var perAccount: [String: (queue: Gauge, running: Gauge)] = [:]

    /// Gauges over `pool`'s accounts and the outbox depth `outboxDepth` reads (e.g. the dispatcher's `pending`).
    public init(metrics: ProxyMetrics, pool: AccountPool, outboxDepth: @escaping @Sendable () async -> Int) {
        self.metrics = metrics
        self.pool = pool
        self.outboxDepth = outboxDepth
    }

    /// Sets every gauge to its current value (call right before the registry is emitted).
    public func collect() async {
        let f = metrics.resolved
        var byState: [AccountSnapshot.State: Int] = [.connecting: 0, .ready: 0, .paused: 0, .disabled: 0]
        var seen = Set<String>()
        for account in await pool.all {
            let s = await account.snapshot()
            let id = s.config.id
            guard seen.insert(id).inserted else { continue }
            byState[s.state, default: 0] += 1
            let gauges =
                perAccount[id]
                ?? (
                    Gauge(label: ProxyMetrics.Name.accountQueueDepth, dimensions: [("account", id)], factory: f),
                    Gauge(label: ProxyMetrics.Name.accountRunningJobs, dimensions: [("account", id)], factory: f)
                )
            perAccount[id] = gauges
            gauges.queue.record(s.queueCount)
            gauges.running.record(s.runningCount)
        }
        for (id, gauges) in perAccount where !seen.contains(id) {
            gauges.queue.destroy()
            gauges.running.destroy()
            perAccount[id] = nil
        }
        for (state, count) in byState {
            Gauge(label: ProxyMetrics.Name.accounts, dimensions: [("state", state.rawValue)], factory: f).record(count)
        }
        Gauge(label: ProxyMetrics.Name.webhookOutboxDepth, factory: f).record(await outboxDepth())
    }
}
