import Foundation

/// An account's queue and running slots: which tasks wait, which hold a slot since when, which
/// were cancelled while their Discord job runs, and which MODAL tasks wait for `/submit/modal`.
/// Plain value state; `DiscordAccount` owns one and does the I/O.
struct AccountSlots: Sendable {
    /// Tasks waiting for a slot, in order.
    private(set) var queue: [String] = []
    /// Submissions admitted but not yet on the queue (their task is being stored).
    private(set) var reserved = 0
    /// Tasks holding a slot → when they took it (ms).
    private(set) var running: [String: Int64] = [:]
    /// Cancelled tasks whose Discord job still runs: they hold their slot until it ends or times out.
    private(set) var cancelled: Set<String> = []
    /// MODAL tasks waiting for `/submit/modal` (they hold no slot; they expire after 30 minutes).
    private(set) var modal: Set<String> = []
    private(set) var coreSize: Int
    private(set) var queueSize: Int

    init(coreSize: Int, queueSize: Int) {
        self.coreSize = max(1, coreSize)
        self.queueSize = max(0, queueSize)
    }

    /// Slots not held by a running task.
    var freeSlots: Int { max(0, coreSize - running.count) }

    /// Whether one more submission fits: the tasks that would wait (queued and being stored, beyond
    /// the free slots the dispatcher is about to fill) are fewer than `queueSize`.
    var admitsMore: Bool {
        let waiting = queue.count + reserved
        return waiting - freeSlots < queueSize
    }

    /// New limits (live configuration); running and waiting tasks stay.
    mutating func resize(coreSize: Int, queueSize: Int) {
        self.coreSize = max(1, coreSize)
        self.queueSize = max(0, queueSize)
    }

    mutating func reserve() { reserved += 1 }
    mutating func unreserve() { reserved = max(0, reserved - 1) }

    /// Appends a task; returns how many were waiting before it.
    mutating func enqueue(_ id: String) -> Int {
        let ahead = queue.count
        queue.append(id)
        return ahead
    }

    /// Puts a recovered or re-submitted task back on the queue.
    mutating func requeue(_ id: String) {
        modal.remove(id)
        if !queue.contains(id) && running[id] == nil { queue.append(id) }
    }

    /// Puts a task that lost its chance to run (no session) back in front.
    mutating func putBack(_ id: String) {
        running[id] = nil
        queue.insert(id, at: 0)
    }

    mutating func trackModal(_ id: String) { modal.insert(id) }
    mutating func untrackModal(_ id: String) { modal.remove(id) }

    /// Takes the next waiting task into a free slot.
    mutating func next(at now: Int64) -> String? {
        guard running.count < coreSize, !queue.isEmpty else { return nil }
        let id = queue.removeFirst()
        running[id] = now
        return id
    }

    /// A task that was running before a restart.
    mutating func adopt(_ id: String, at now: Int64) {
        queue.removeAll { $0 == id }
        running[id] = running[id] ?? now
    }

    /// What cancelling did.
    enum CancelOutcome: Equatable {
        case dequeued
        case runningJobKept
        case unknown
    }

    mutating func cancel(_ id: String) -> CancelOutcome {
        modal.remove(id)
        if let i = queue.firstIndex(of: id) {
            queue.remove(at: i)
            return .dequeued
        }
        if running[id] != nil {
            cancelled.insert(id)
            return .runningJobKept
        }
        return .unknown
    }

    func isRunning(_ id: String) -> Bool { running[id] != nil }
    func isCancelled(_ id: String) -> Bool { cancelled.contains(id) }
    func slotTaken(_ id: String) -> Int64? { running[id] }

    /// Frees a slot; false when the task held none.
    mutating func release(_ id: String) -> Bool {
        guard running.removeValue(forKey: id) != nil else { return false }
        cancelled.remove(id)
        return true
    }

    mutating func removeQueued(_ id: String) { queue.removeAll { $0 == id } }

    /// Removes and returns the queued tasks (MODAL ones stay tracked).
    mutating func drainQueued() -> [String] {
        defer { queue.removeAll() }
        return queue
    }

    /// Empties the queue and the MODAL set (the account can no longer run them); returns their ids.
    mutating func drainWaiting() -> [String] {
        let ids = queue + modal.sorted()
        queue.removeAll()
        modal.removeAll()
        return ids
    }
}
