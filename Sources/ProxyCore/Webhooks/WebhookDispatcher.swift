import AsyncHTTPClient
import Crypto
import DiscordKit
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Webhook settings (contract §9).
public struct WebhookSettings: Sendable {
    /// Global hook for tasks without their own `notifyHook`.
    public var globalHook: String?
    /// When set, every delivery carries `X-Mjproxy-Signature: sha256=<hmac>`.
    public var secret: String?
    public var firstRetryDelay: Duration
    public var maxRetryDelay: Duration
    /// How long a state is retried before it is given up.
    public var giveUpAfter: Duration
    public var requestTimeout: Duration
    public var userAgent: String

    /// Creates settings with the contract's timings.
    public init(
        globalHook: String? = nil, secret: String? = nil, firstRetryDelay: Duration = .seconds(1), maxRetryDelay: Duration = .seconds(60),
        giveUpAfter: Duration = .seconds(600), requestTimeout: Duration = .seconds(10), userAgent: String = "mjproxy/0.1.0"
    ) {
        self.globalHook = globalHook
        self.secret = secret
        self.firstRetryDelay = firstRetryDelay
        self.maxRetryDelay = maxRetryDelay
        self.giveUpAfter = giveUpAfter
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
    }
}

/// Delivers task changes to webhooks: per task in order, never blocking task processing; a state
/// superseded before it is sent or retried is dropped; failures retry with doubling back-off.
public final class WebhookDispatcher: Service, TaskEventSink, Sendable {
    /// One state of one task to POST.
    struct Delivery: Sendable {
        var taskId: String
        var url: String
        var body: String
        var event: TaskEvent
        var sequence: Int64
        var deliveryId: String
    }

    /// The newest undelivered state per task, and which tasks have a worker.
    actor Mailboxes {
        var pending: [String: Delivery] = [:]
        var active: Set<String> = []

        /// Stores the newest state; true when a worker must be started for the task.
        func put(_ d: Delivery) -> Bool {
            pending[d.taskId] = d
            return active.insert(d.taskId).inserted
        }

        /// The next state to send, or nil (and the worker ends).
        func take(_ taskId: String) -> Delivery? {
            if let d = pending.removeValue(forKey: taskId) { return d }
            active.remove(taskId)
            return nil
        }

        /// Whether a newer state than `sequence` is waiting.
        func superseded(_ taskId: String, _ sequence: Int64) -> Bool { (pending[taskId]?.sequence ?? 0) > sequence }
    }

    public let settings: WebhookSettings
    private let http: HTTPClient
    private let logger: Logger
    private let mailboxes = Mailboxes()
    private let stream: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    /// Counters by result (`ok`, `retry`, `dropped`, `gave_up`), for metrics and tests.
    public let counters = Locked<[String: Int]>([:])

    /// Creates a dispatcher using `http`.
    public init(settings: WebhookSettings, http: HTTPClient, logger: Logger) {
        self.settings = settings
        self.http = http
        self.logger = logger
        (stream, continuation) = AsyncStream<String>.makeStream()
    }

    public func taskChanged(_ task: MJTask, event: TaskEvent) async {
        guard let url = task.notifyHook ?? settings.globalHook, !url.isEmpty else { return }
        let d = Delivery(
            taskId: task.id, url: url, body: task.json.compactString, event: event, sequence: task.sequence,
            deliveryId: UUID().uuidString.lowercased())
        if await mailboxes.put(d) { continuation.yield(task.id) }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for await taskId in stream.cancelOnGracefulShutdown() {
                group.addTask { await self.drain(taskId) }
            }
        }
    }

    private func count(_ key: String) { counters.withLock { $0[key, default: 0] += 1 } }

    private func drain(_ taskId: String) async {
        while let d = await mailboxes.take(taskId) {
            await deliver(d)
        }
    }

    private func deliver(_ d: Delivery) async {
        let started = ContinuousClock.now
        var delay = settings.firstRetryDelay
        while !Task.isCancelled {
            if await send(d) {
                count("ok")
                return
            }
            if ContinuousClock.now - started + delay > settings.giveUpAfter {
                count("gave_up")
                logger.warning("webhook gave up", metadata: ["task": "\(d.taskId)", "event": "\(d.event.rawValue)"])
                return
            }
            count("retry")
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, settings.maxRetryDelay)
            if await mailboxes.superseded(d.taskId, d.sequence) {
                count("dropped")
                return
            }
        }
    }

    /// One POST; true on 2xx.
    private func send(_ d: Delivery) async -> Bool {
        var request = HTTPClientRequest(url: d.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: settings.userAgent)
        request.headers.add(name: "X-Mjproxy-Event", value: d.event.rawValue)
        request.headers.add(name: "X-Mjproxy-Delivery", value: d.deliveryId)
        request.headers.add(name: "X-Mjproxy-Sequence", value: String(d.sequence))
        if let secret = settings.secret, !secret.isEmpty {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(d.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            request.headers.add(name: "X-Mjproxy-Signature", value: "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        }
        request.body = .bytes(ByteBuffer(string: d.body))
        do {
            let response = try await http.execute(request, timeout: .seconds(settings.requestTimeout.components.seconds))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (200..<300).contains(Int(response.status.code))
        } catch {
            logger.debug("webhook delivery failed", metadata: ["task": "\(d.taskId)", "error": "\(error)"])
            return false
        }
    }
}
