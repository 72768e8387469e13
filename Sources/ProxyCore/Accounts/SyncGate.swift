import DiscordKit

/// Lets at most `limit` accounts of a pool run their after-connect sync (`/info` and `/settings` of each
/// bot) at once; the others wait their turn in arrival order.
///
/// Without it, a pool of 1,000 accounts sends 4,000 slash commands the moment it has connected: on
/// Discord a burst from one address, and in the proxy a flood of answers that starved the HTTP API
/// (a submit waited up to 38 s in the 1,000-account scale test). A waiting account that stops (its task
/// cancelled) leaves the queue. A lock, not an actor: a cancelled waiter is removed synchronously.
public final class SyncGate: Sendable {
    private struct State {
        var running = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextId = 0
    }

    /// Syncs allowed at once.
    public let limit: Int
    private let state = Locked(State())

    /// Creates a gate for `limit` concurrent syncs (at least one).
    public init(limit: Int = 8) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once a place is free; returns nil without running it when cancelled while waiting.
    public func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T? {
        guard await enter() else { return nil }
        defer { leave() }
        return await body()
    }

    /// Syncs running now, and waiting.
    public var counts: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiters.count) }
    }

    private func enter() async -> Bool {
        let id: Int? = state.withLock { s in
            if s.running < limit, s.waiters.isEmpty {
                s.running += 1
                return nil
            }
            s.nextId += 1
            return s.nextId
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let cancelled = state.withLock { s in
                    if Task.isCancelled { return true }
                    s.waiters.append((id, continuation))
                    return false
                }
                if cancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            let removed = state.withLock { s in
                s.waiters.firstIndex { $0.id == id }.map { s.waiters.remove(at: $0).continuation }
            }
            removed?.resume(returning: false)
        }
    }

    private func leave() {
        // The place passes to the first waiter (`running` unchanged), or is freed.
        let next = state.withLock { s in
            if s.waiters.isEmpty {
                s.running -= 1
                return nil as CheckedContinuation<Bool, Never>?
            }
            return s.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
