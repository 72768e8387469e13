import CoreMetrics
import DiscordKit

/// The proxy's own metrics (Prometheus names, `mjproxy_` prefix), counted where the events happen:
/// task creation and visible changes in the registry, gateway status changes in the account, webhook
/// results in the dispatcher. Label values come from closed sets (actions, statuses, results), so the
/// number of series stays bounded; ids never become labels here (per-account gauges are set at scrape
/// time by `ScrapeGauges`).
///
/// Every update is synchronous: one look-up in the metrics library's registry, no actor hop. The
/// swift-metrics factory is injected (nil = the process-wide `MetricsSystem.factory`, a no-op until
/// the executable bootstraps it), so each runtime, and each test, can keep its own registry.
public struct ProxyMetrics: Sendable {
    /// The factory handles come from; nil = `MetricsSystem.factory` at the time of each update.
    public let factory: (any MetricsFactory)?

    /// Metrics through `factory` (nil = the process-wide factory).
    public init(factory: (any MetricsFactory)? = nil) { self.factory = factory }

    /// The factory in use now.
    var resolved: any MetricsFactory { factory ?? MetricsSystem.factory }

    /// The same destination for DiscordKit's REST counters.
    public var discord: DiscordMetrics { DiscordMetrics(factory: factory) }

    /// Metric names, in one place (README "Metrics" lists them).
    public enum Name {
        public static let tasksSubmitted = "mjproxy_tasks_submitted_total"
        public static let tasksFinished = "mjproxy_tasks_finished_total"
        public static let taskWait = "mjproxy_task_wait_seconds"
        public static let taskRun = "mjproxy_task_run_seconds"
        public static let gatewayReconnects = "mjproxy_gateway_reconnects_total"
        public static let gatewayResumes = "mjproxy_gateway_resumes_total"
        public static let gatewaySessions = "mjproxy_gateway_sessions_total"
        public static let webhookDeliveries = "mjproxy_webhook_deliveries_total"
        public static let webhookOutboxDepth = "mjproxy_webhook_outbox_depth"
        public static let accountQueueDepth = "mjproxy_account_queue_depth"
        public static let accountRunningJobs = "mjproxy_account_running_jobs"
        public static let accounts = "mjproxy_accounts"
    }

    // MARK: tasks

    /// A task was accepted and stored (codes 1, 21, 22 of the submit routes).
    public func taskCreated(_ task: MJTask) {
        Counter(label: Name.tasksSubmitted, dimensions: [("action", task.action.rawValue)], factory: resolved).increment()
    }

    /// A visible change of a task: a terminal one counts the task as finished (by action and status) and
    /// records its wait (submit → start, when it started) and run time (start → finish).
    public func taskChanged(_ task: MJTask, event: TaskEvent) {
        guard event.isTerminal else { return }
        let f = resolved
        let action = ("action", task.action.rawValue)
        Counter(label: Name.tasksFinished, dimensions: [action, ("status", task.status.rawValue)], factory: f).increment()
        guard let start = task.startTime else { return }
        Timer(label: Name.taskWait, dimensions: [action], factory: f).recordMilliseconds(max(0, start - task.submitTime))
        if let finish = task.finishTime {
            Timer(label: Name.taskRun, dimensions: [action], factory: f).recordMilliseconds(max(0, finish - start))
        }
    }

    // MARK: gateway

    /// A gateway status change of an account: a drop (the client reconnects), a resumed session, or a
    /// new session (READY after IDENTIFY).
    public func gatewayStatus(_ status: GatewayStatus) {
        switch status {
        case .disconnected: Counter(label: Name.gatewayReconnects, factory: resolved).increment()
        case .connected(_, let resumed):
            Counter(label: resumed ? Name.gatewayResumes : Name.gatewaySessions, factory: resolved).increment()
        case .connecting, .fatal: break
        }
    }

    // MARK: webhooks

    /// One webhook delivery outcome: `ok` (2xx), `retry` (failed, tried again later), `dropped`
    /// (superseded by a newer state), `gave_up` (failed past the retry window).
    public func webhookDelivery(result: String) {
        Counter(label: Name.webhookDeliveries, dimensions: [("result", result)], factory: resolved).increment()
    }
}
