import HTTPAPI
import Prometheus
import ProxyCore

/// The runtime's metrics: the Prometheus factory (histogram buckets per metric) and `GET /metrics`.
extension AppRuntime {
    /// The swift-metrics factory over this runtime's registry (what the executable bootstraps, too).
    var metricsFactory: PrometheusMetricsFactory { Self.metricsFactory(metricsRegistry) }

    /// A Prometheus factory over `registry` with buckets fitting each timer: task waits and runs take
    /// seconds to minutes (a Midjourney job ~30-60 s, a relax queue far longer), HTTP answers milliseconds.
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let taskBuckets: [Duration] = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800, 3600].map { .seconds($0) }
        factory.durationHistogramBuckets["mjproxy_task_wait_seconds"] = taskBuckets
        factory.durationHistogramBuckets["mjproxy_task_run_seconds"] = taskBuckets
        factory.durationHistogramBuckets["mjproxy_http_request_duration_seconds"] =
            [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map { .microseconds(Int64($0 * 1_000_000)) }
        return factory
    }

    /// `GET /metrics` (nil when `metrics.enabled` is off): the scrape-time gauges, then the registry's text.
    var metricsEndpoint: MetricsEndpoint? {
        guard config.metrics.enabled else { return nil }
        let gauges = self.gauges
        let registry = metricsRegistry
        return MetricsEndpoint(secret: config.metrics.secret) {
            await gauges.collect()
            return registry.emitToBuffer()
        }
    }
}
