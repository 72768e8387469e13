import DiscordKit

/// One visible change of a task as live-event subscribers see it (SSE, contract §5.7): the task's
/// sequence at that change, the webhook event name (§9) and the task JSON exactly as fetch returns it.
public struct TaskChangeNotice: Sendable, Equatable {
    public var taskId: String
    /// The task's webhook/SSE sequence after the change (`id:` of the SSE event).
    public var sequence: Int64
    public var event: TaskEvent
    /// Compact task JSON (UTF-8), the same bytes fetch, list-by-condition and the webhook carry.
    public var json: [UInt8]

    /// Creates a notice.
    public init(taskId: String, sequence: Int64, event: TaskEvent, json: [UInt8]) {
        self.taskId = taskId
        self.sequence = sequence
        self.event = event
        self.json = json
    }

    /// The notice for `task` as it is now, named by `event` (or, nil, by its status: `snapshotEvent`).
    public init(_ task: MJTask, event: TaskEvent? = nil) {
        self.init(
            taskId: task.id, sequence: task.sequence, event: event ?? TaskEvent.snapshot(of: task.status),
            json: Array(task.json.compactString.utf8))
    }
}

/// Where task changes enter the live-event hub. This process's registry feeds it through the
/// hub's `TaskEventSink` conformance; a feed of other instances' changes (PostgreSQL LISTEN/NOTIFY
/// with the JSON read from the database) calls `publish` for the tasks `watches` names.
/// Subscribers drop a notice whose sequence they already sent, so one change arriving twice (from
/// the registry and from the database) is sent once.
public protocol TaskChangePublisher: Sendable {
    /// Hands a change to the subscribers of its task.
    func publish(_ notice: TaskChangeNotice) async
    /// Whether anyone listens to `taskId` now (a remote feed skips reading the JSON otherwise).
    func watches(_ taskId: String) async -> Bool
}

extension TaskEvent {
    /// The event name for a task's current state when no change produced it (the first SSE event):
    /// the event that leads to `status`; `NOT_START` (no webhook event of its own) counts as progress.
    public static func snapshot(of status: TaskStatus) -> TaskEvent {
        switch status {
        case .notStart, .inProgress: return .progress
        case .submitted: return .submitted
        case .modal: return .modal
        case .success: return .success
        case .failure: return .failure
        case .cancel: return .cancel
        }
    }
}
