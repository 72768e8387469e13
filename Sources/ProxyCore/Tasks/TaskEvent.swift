/// A visible change of a task (webhook event names, contract §9).
public enum TaskEvent: String, Sendable, Codable {
    case submitted = "task.submitted"
    case progress = "task.progress"
    case modal = "task.modal"
    case success = "task.success"
    case failure = "task.failure"
    case cancel = "task.cancel"

    /// The event a change from `old` to `new` stands for; nil when nothing visible changed.
    public static func between(_ old: MJTask?, _ new: MJTask) -> TaskEvent? {
        if let old, old.json == new.json { return nil }
        if old?.status != new.status {
            switch new.status {
            case .submitted: return .submitted
            case .inProgress: return .progress
            case .modal: return .modal
            case .success: return .success
            case .failure: return .failure
            case .cancel: return .cancel
            case .notStart: return old == nil ? nil : .progress
            }
        }
        guard old != nil else { return nil }
        return new.status.isFinished ? nil : .progress
    }

    /// Whether the event ends the task.
    public var isTerminal: Bool { self == .success || self == .failure || self == .cancel }
}

/// Receives every visible task change, in order per task (webhooks, SSE, metrics).
public protocol TaskEventSink: Sendable {
    /// Called after the change is stored.
    func taskChanged(_ task: MJTask, event: TaskEvent) async
}
