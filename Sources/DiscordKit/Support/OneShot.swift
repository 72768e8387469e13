import Foundation

/// A value set once and awaited by any number of waiters (e.g. a server's bound port, delivered by
/// `onServerRunning`): waiting costs no polling, and waiters that come late get it at once.
public final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [UUID: CheckedContinuation<Value?, Never>] = [:]
        var cancelled: Set<UUID> = []
    }

    private let state = Locked(State())

    /// Creates an unset value.
    public init() {}

    /// The value if it is set.
    public var current: Value? { state.withLock { $0.value } }

    /// Sets the value (only the first call counts) and wakes every waiter.
    public func fulfil(_ value: Value) {
        let waiters = state.withLock { s -> [CheckedContinuation<Value?, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume(returning: value) }
    }

    /// Waits for the value; nil when the waiting task is cancelled first (so callers can bound the wait).
    public func value() async -> Value? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Value?, Never>) in
                let now = state.withLock { s -> (ready: Bool, value: Value?) in
                    if let v = s.value { return (true, v) }
                    if s.cancelled.remove(id) != nil { return (true, nil) }
                    s.waiters[id] = c
                    return (false, nil)
                }
                if now.ready { c.resume(returning: now.value) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Value?, Never>? in
                if let w = s.waiters.removeValue(forKey: id) { return w }
                s.cancelled.insert(id)
                return nil
            }
            waiter?.resume(returning: nil)
        }
    }
}
