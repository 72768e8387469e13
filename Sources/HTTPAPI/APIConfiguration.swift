import ProxyCore

/// Settings of the HTTP API.
public struct APIConfiguration: Sendable {
    /// When set, every `/mj` route requires it (contract §1.2).
    public var apiSecret: String?
    /// Guards account management (contract §1.2, §6); unset = account mutations answer 403.
    public var adminSecret: String?
    public var locale: TextLocale
    /// Most ids accepted by list-by-condition (`task.maxIdsPerQuery`).
    public var maxIdsPerQuery: Int
    /// Largest accepted request body.
    public var maxBodyBytes: Int
    /// Allow `GET /mj/task/{id}/image-seed` with no secret header at all (New API 745df361 sends none).
    public var imageSeedWithoutSecret: Bool
    /// Longest time a request body may take to arrive (a client trickling bytes is answered 408 and dropped).
    public var bodyReadTimeout: Duration
    /// Keep-alive comment interval of the task event streams (`: ping`, contract §5.7; `task.eventsPingSeconds`).
    public var eventsPingInterval: Duration

    /// Creates a configuration.
    public init(
        apiSecret: String? = nil, adminSecret: String? = nil, locale: TextLocale = .en, maxIdsPerQuery: Int = 1000, maxBodyBytes: Int = 32 << 20,
        imageSeedWithoutSecret: Bool = false, bodyReadTimeout: Duration = .seconds(60), eventsPingInterval: Duration = .seconds(15)
    ) {
        self.eventsPingInterval = eventsPingInterval
        self.bodyReadTimeout = bodyReadTimeout
        self.imageSeedWithoutSecret = imageSeedWithoutSecret
        self.apiSecret = apiSecret
        self.adminSecret = adminSecret
        self.locale = locale
        self.maxIdsPerQuery = maxIdsPerQuery
        self.maxBodyBytes = maxBodyBytes
    }
}
