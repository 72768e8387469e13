import DiscordKit
import Foundation
import Logging
import ProxyCore
import ServiceLifecycle

/// One image to copy: the task, the Discord link, and for a preview its percentage.
struct MirrorJob: Sendable {
    var taskId: String
    var url: String
    /// nil = the final image.
    var previewPercent: Int?
    var attempts = 0

    /// One copy of a final image per task; previews by link.
    var dedupeKey: String { previewPercent == nil ? "\(taskId)/final" : "\(taskId)|\(url)" }
}

/// Copies task images from Discord's CDN to the mirror backend, off the task path.
///
/// A task reaching SUCCESS (and, with `previews`, each new preview) is queued by the registry's
/// announcement; `concurrency` copies run at once. A copy downloads the image (size-capped, checked
/// by magic bytes), stores it as `<taskId>/final.<ext>`, then points the task's `imageUrl` at the
/// mirror and keeps the Discord link in `properties.discordImageUrl` (a new revision, no webhook: the
/// task stays SUCCESS whatever happens to the copy). A failed copy is retried with doubling back-off;
/// copies not done when the process stops are found again at the next start (finished tasks whose
/// image is still a Discord link). A periodic sweep deletes images older than the retention.
public final class ImageMirrorService: Service, TaskEventSink, Sendable {
    public let settings: ImageMirrorSettings
    let backend: any ImageBackend
    let links: ImageLinks
    let registry: TaskRegistry
    /// The HTTP client for a download, under the outbound policy now (Discord CDN and sandbox trusted).
    let fetcher: @Sendable () -> OutboundHTTP
    /// Whether a link is one of Discord's CDN (or the sandbox's): only those are copied.
    let isDiscordURL: @Sendable (String) -> Bool
    let logger: Logger
    private let jobs: AsyncStream<MirrorJob>
    private let continuation: AsyncStream<MirrorJob>.Continuation
    /// Jobs queued, running or waiting for a retry (by `dedupeKey`).
    private let queued = Locked<Set<String>>([])
    private let retries = Locked<[(due: Int64, job: MirrorJob)]>([])
    /// `copied`, `retry`, `gave_up`, `dropped`, `swept` (for metrics and tests).
    public let counters = Locked<[String: Int]>([:])
    /// Most jobs held at once; more are dropped (the next start finds them again).
    static let maxQueued = 10_000

    /// Creates the mirror; add it as a registry sink and run it as a Service.
    public init(
        settings: ImageMirrorSettings, backend: any ImageBackend, links: ImageLinks, registry: TaskRegistry,
        fetcher: @escaping @Sendable () -> OutboundHTTP, isDiscordURL: @escaping @Sendable (String) -> Bool, logger: Logger
    ) {
        self.settings = settings
        self.backend = backend
        self.links = links
        self.registry = registry
        self.fetcher = fetcher
        self.isDiscordURL = isDiscordURL
        self.logger = logger
        (jobs, continuation) = AsyncStream<MirrorJob>.makeStream()
    }

    // MARK: queueing

    /// Queues the copy a change calls for (never waits).
    public func taskChanged(_ task: MJTask, event: TaskEvent) async {
        guard let job = job(for: task, event: event) else { return }
        enqueue(job)
    }

    /// The copy `event` of `task` calls for: its final image on success, its preview while it runs.
    func job(for task: MJTask, event: TaskEvent) -> MirrorJob? {
        // Most events call for nothing: decided before any URL is looked at (this runs on every change).
        guard event == .success || (event == .progress && settings.previews) else { return nil }
        guard let url = task.imageUrl, isDiscordURL(url) else { return nil }
        switch event {
        case .success where task.property("discordImageUrl") == nil:
            return MirrorJob(taskId: task.id, url: url)
        case .progress where settings.previews && task.status == .inProgress:
            return MirrorJob(taskId: task.id, url: url, previewPercent: Int(task.progress.dropLast()) ?? 0)
        default:
            return nil
        }
    }

    private func enqueue(_ job: MirrorJob) {
        let added = queued.withLock { q -> Bool? in
            guard q.count < Self.maxQueued else { return nil }
            return q.insert(job.dedupeKey).inserted
        }
        switch added {
        case true?: continuation.yield(job)
        case nil: count("dropped")
        default: break
        }
    }

    private func done(_ job: MirrorJob) { queued.withLock { _ = $0.remove(job.dedupeKey) } }

    private func count(_ key: String, _ n: Int = 1) { counters.withLock { $0[key, default: 0] += n } }

    /// Copies queued, running or waiting for a retry.
    public var pending: Int { queued.value.count }

    // MARK: running

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.resumeStoredTasks() }
            group.addTask { await self.retryLoop() }
            if settings.retentionDays > 0 { group.addTask { await self.sweepLoop() } }
            await copyLoop()
            group.cancelAll()
        }
    }

    /// Runs queued copies, `concurrency` at a time, until shutdown (running ones are then cancelled;
    /// the next start finds them again).
    private func copyLoop() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await job in jobs.cancelOnGracefulShutdown() {
                if running >= max(1, settings.concurrency) {
                    _ = await group.next()
                    running -= 1
                }
                group.addTask { await self.process(job) }
                running += 1
            }
            group.cancelAll()
        }
    }

    /// One attempt; a failure is scheduled again after a doubling delay, or given up.
    private func process(_ job: MirrorJob) async {
        do {
            try await copy(job)
            done(job)
        } catch {
            if Task.isCancelled { return done(job) }
            let attempts = job.attempts + 1
            let detail = (error as? OutboundError)?.detail ?? "\(error)"
            // A preview soon makes way for the next one: one retry is enough.
            if attempts >= (job.previewPercent == nil ? settings.maxAttempts : 2) {
                count("gave_up")
                logger.warning("image copy given up", metadata: ["task": "\(job.taskId)", "attempts": "\(attempts)", "error": "\(detail)"])
                return done(job)
            }
            count("retry")
            logger.debug("image copy failed, will retry", metadata: ["task": "\(job.taskId)", "error": "\(detail)"])
            var next = job
            next.attempts = attempts
            let due = nowMillis() + Self.millis(retryDelay(afterAttempts: attempts))
            retries.withLock { $0.append((due, next)) }
        }
    }

    /// The wait after `attempts` failures: `firstRetryDelay` doubling, capped at `maxRetryDelay`.
    func retryDelay(afterAttempts attempts: Int) -> Duration {
        var delay = settings.firstRetryDelay
        for _ in 1..<max(1, min(attempts, 30)) where delay < settings.maxRetryDelay { delay = delay * 2 }
        return min(delay, settings.maxRetryDelay)
    }

    /// Whole milliseconds of `d`.
    static func millis(_ d: Duration) -> Int64 { d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000 }

    /// Puts retries that came due back in the queue.
    private func retryLoop() async {
        let tick = min(settings.firstRetryDelay, .seconds(1))
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = nowMillis()
            let due = retries.withLock { list -> [MirrorJob] in
                let ready = list.filter { $0.due <= now }.map(\.job)
                list.removeAll { $0.due <= now }
                return ready
            }
            for job in due { continuation.yield(job) }
        }
    }

    /// Downloads, stores and links one image (nothing when the task no longer needs it).
    func copy(_ job: MirrorJob) async throws {
        guard let task = try await registry.task(id: job.taskId), task.imageUrl == job.url else { return }
        if job.previewPercent == nil {
            guard task.status == .success, task.property("discordImageUrl") == nil else { return }
        } else {
            guard task.status == .inProgress else { return }
        }
        let image = try await fetcher().getImage(url: job.url, maxBytes: settings.maxBytes, timeout: settings.downloadTimeout)
        let name = ImageName.make(preview: job.previewPercent, mimeType: image.kind.mimeType)
        try await backend.put(key: ImageName.key(taskId: job.taskId, name: name), bytes: image.bytes, contentType: image.kind.mimeType)
        let link = links.url(taskId: job.taskId, name: name, now: nowMillis() / 1000)
        let discordURL = job.url
        if job.previewPercent == nil {
            await registry.amend(job.taskId) { t in
                guard t.imageUrl == discordURL, t.property("discordImageUrl") == nil else { return false }
                t.setProperty("discordImageUrl", string: discordURL)
                t.imageUrl = link
                return true
            }
        } else {
            await registry.update(job.taskId) { t in
                if t.imageUrl == discordURL { t.imageUrl = link }
            }
        }
        count("copied")
    }

    /// At start: queues the finished tasks (newest first, bounded by count and age) whose image is
    /// still a Discord link — copies a previous run did not finish.
    func resumeStoredTasks() async {
        let cutoff = nowMillis() - Self.millis(settings.startupScanWindow)
        var before: String?
        var seen = 0
        var found = 0
        while seen < settings.startupScanLimit, !Task.isCancelled {
            let page: [MJTask]
            do {
                page = try await registry.list(limit: min(200, settings.startupScanLimit - seen), before: before)
            } catch {
                logger.error("image mirror could not read the task list", metadata: ["error": "\(error)"])
                return
            }
            guard let last = page.last else { break }
            for task in page {
                guard let job = job(for: task, event: .success), task.status == .success else { continue }
                enqueue(job)
                found += 1
            }
            seen += page.count
            if last.submitTime < cutoff { break }
            before = last.id
        }
        if found > 0 { logger.info("image copies resumed", metadata: ["tasks": "\(found)"]) }
    }

    // MARK: retention

    private func sweepLoop() async {
        while !Task.isCancelled {
            _ = await sweep()
            do { try await Task.sleep(for: settings.sweepInterval) } catch { return }
        }
    }

    /// Deletes images older than the retention now; returns how many.
    @discardableResult
    public func sweep() async -> Int {
        guard settings.retentionDays > 0 else { return 0 }
        let cutoff = Date(timeIntervalSinceNow: -settings.retentionDays * 86_400)
        do {
            let n = try await backend.deleteOlder(than: cutoff)
            count("swept", n)
            if n > 0 { logger.info("old mirrored images deleted", metadata: ["count": "\(n)"]) }
            return n
        } catch {
            logger.error("image retention sweep failed", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
