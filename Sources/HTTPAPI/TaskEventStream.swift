import Hummingbird
import NIOCore
import ProxyCore

/// One Server-Sent Events answer of `GET /mj/task/{id}/events` or `GET /mj/task/events?ids=…`
/// (contract §5.7), written by the response body's writer in the connection's own task.
///
/// `retry: 3000`, then one event per task with its current state (unless the client's
/// `Last-Event-ID` says it has that sequence already), then one event per change
/// (`id`, `event`, `data` = the task JSON on one line) and `: ping` every `pingInterval`, until every
/// watched task has had its terminal event. Subscribing happens before the tasks are read again,
/// so no change falls between the two; a change whose sequence was already sent is skipped.
///
/// A client that closes the connection ends the stream at once (Hummingbird's inbound-close handler
/// cancels the subscription); one that vanishes without closing is noticed when a write (an event
/// or a ping) fails. Either way the subscription is removed with everything it held.
struct TaskEventStream: Sendable {
    let hub: TaskEventHub
    let registry: TaskRegistry
    /// The requested tasks as read when the request arrived, in request order (known ones only).
    let initial: [MJTask]
    /// Per task id, the sequence the client already has (from `Last-Event-ID`).
    let resume: [String: Int64]
    /// Several tasks: event ids are `<taskId>:<sequence>` instead of `<sequence>`.
    let multi: Bool
    let pingInterval: Duration
    /// How the keep-alive ticker waits (a test clock can stand in).
    let sleep: @Sendable (Duration) async throws -> Void

    /// Reconnection delay sent on connect.
    static let retryMillis = 3000

    /// Whether the answer would carry no event at all: every task finished and already known to the
    /// client (answered 204, which also stops an `EventSource` from reconnecting).
    var hasNothingToSend: Bool { initial.allSatisfy { $0.status.isFinished && resume[$0.id] == $0.sequence } }

    /// Writes the stream to the end, or until the client is gone: its closing of the connection
    /// (end of `requestBody`'s inbound stream) ends the stream at once; a failed write rethrows.
    func write(to writer: inout any ResponseBodyWriter, watching requestBody: RequestBody) async throws {
        var open = Set(initial.lazy.filter { !$0.status.isFinished }.map(\.id))
        let subscription = open.isEmpty ? nil : await hub.subscribe(to: open)
        do {
            try await requestBody.consumeWithInboundCloseHandler { _ in
                try await stream(subscription, open: &open, writer: &writer)
            } onInboundClosed: {
                subscription?.cancel()
            }
        } catch {
            if let subscription { await hub.unsubscribe(subscription) }
            throw error
        }
        if let subscription { await hub.unsubscribe(subscription) }
        try await writer.finish(nil)
    }

    private func stream(_ subscription: TaskEventSubscription?, open: inout Set<String>, writer: inout any ResponseBodyWriter) async throws {
        var sent: [String: Int64] = [:]
        var head = ByteBuffer(string: "retry: \(Self.retryMillis)\n\n")
        for task in try await current(open) {
            sent[task.id] = task.sequence
            if resume[task.id] != task.sequence { Self.appendEvent(TaskChangeNotice(task), multi: multi, to: &head) }
            if task.status.isFinished { open.remove(task.id) }
        }
        try await writer.write(head)
        guard let subscription, !open.isEmpty else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Keep-alive: the ticker only flags the mailbox; this task does every write.
            group.addTask { [sleep, pingInterval] in
                while true {
                    try await sleep(pingInterval)
                    subscription.tick()
                }
            }
            do {
                items: while let item = await subscription.next() {
                    var frame = ByteBuffer()
                    switch item {
                    case .tick:
                        frame.writeString(": ping\n\n")
                    case .change(let notice):
                        guard open.contains(notice.taskId), notice.sequence > sent[notice.taskId] ?? .min else { continue items }
                        sent[notice.taskId] = notice.sequence
                        Self.appendEvent(notice, multi: multi, to: &frame)
                        if notice.event.isTerminal { open.remove(notice.taskId) }
                    }
                    try await writer.write(frame)
                    if open.isEmpty { break items }
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// The initial tasks, the unfinished ones read again now that the subscription exists (a change
    /// between the request's read and the subscription would otherwise be lost).
    private func current(_ open: Set<String>) async throws -> [MJTask] {
        guard !open.isEmpty else { return initial }
        var fresh: [String: MJTask] = [:]
        for task in try await registry.tasks(ids: initial.map(\.id).filter(open.contains)) { fresh[task.id] = task }
        return initial.map { old in
            guard let new = fresh[old.id], new.sequence >= old.sequence else { return old }
            return new
        }
    }

    /// Appends one SSE event: `id`, `event`, `data` (the JSON has no raw line breaks: JSON escapes them).
    static func appendEvent(_ notice: TaskChangeNotice, multi: Bool, to buffer: inout ByteBuffer) {
        buffer.writeString(multi ? "id: \(notice.taskId):\(notice.sequence)\n" : "id: \(notice.sequence)\n")
        buffer.writeString("event: \(notice.event.rawValue)\ndata: ")
        buffer.writeBytes(notice.json)
        buffer.writeString("\n\n")
    }
}
