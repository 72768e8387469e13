import CoreMetrics

/// Where DiscordKit's counters go: Discord REST calls by route and status, and 429s by route. Route
/// labels are templates (`GET /channels/{id}/messages`), never ids, so label cardinality stays bounded.
///
/// The swift-metrics factory is injected (each proxy runtime passes its own registry's, so tests do not
/// share one); nil means the process-wide `MetricsSystem.factory`, a no-op until the executable
/// bootstraps it. Counting costs one look-up in the metrics library's registry, nothing else.
public struct DiscordMetrics: Sendable {
    /// The factory handles come from; nil = `MetricsSystem.factory` at the time of each update.
    public let factory: (any MetricsFactory)?

    /// Metrics through `factory` (nil = the process-wide factory).
    public init(factory: (any MetricsFactory)? = nil) { self.factory = factory }

    /// The factory in use now.
    var resolved: any MetricsFactory { factory ?? MetricsSystem.factory }

    /// Counts one REST exchange of `method path`: its HTTP `status`, or nil when no answer came
    /// (connection error, timeout). A 429 also counts as rate limited.
    public func restCall(method: String, path: String, status: Int?) {
        let route = Self.routeTemplate(method: method, path: path)
        let f = resolved
        let statusLabel = status.map { String($0) } ?? "error"
        Counter(label: "mjproxy_discord_requests_total", dimensions: [("route", route), ("status", statusLabel)], factory: f).increment()
        if status == 429 {
            Counter(label: "mjproxy_discord_rate_limited_total", dimensions: [("route", route)], factory: f).increment()
        }
    }

    /// `METHOD /path` with every variable part replaced: numeric ids become `{id}`, a reaction's emoji
    /// `{emoji}`, any other segment that is not a plain lower-case word `{param}`; the query is dropped.
    public static func routeTemplate(method: String, path: String) -> String {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var out = method
        out += " "
        var previous: Substring = ""
        var any = false
        for segment in pathOnly.split(separator: "/") {
            out += "/"
            any = true
            if previous == "reactions" {
                out += "{emoji}"
            } else if segment.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                out += "{id}"
            } else if segment.utf8.allSatisfy(Self.isWordByte) {
                out += segment
            } else {
                out += "{param}"
            }
            previous = segment
        }
        if !any { out += "/" }
        return out
    }

    /// Lower-case letters and the punctuation of Discord's fixed route words (`application-command-index`, `@me`).
    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "@")
    }
}
