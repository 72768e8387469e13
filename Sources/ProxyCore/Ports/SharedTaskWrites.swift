/// Writes one instance makes to a task another instance runs (several instances on one store).
public protocol SharedTaskWrites: Sendable {
    /// Stores `task` (a finished state, e.g. a cancel) with its webhook deliveries only if the stored
    /// task is still unfinished, atomically; false when it finished meanwhile (nothing written). Its
    /// holder learns of it from the change notification and stops running the task.
    func finishIfUnfinished(_ task: MJTask, outbox: [OutboxDelivery]) async throws -> Bool
    /// Stores `task` with its webhook deliveries only if the stored task's status is `expected` (a MODAL
    /// task submitted on another instance), atomically; false otherwise. Its holder learns of it from the
    /// change notification.
    func replaceIfStatus(_ task: MJTask, expected: TaskStatus, outbox: [OutboxDelivery]) async throws -> Bool
}
