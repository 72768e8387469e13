import DiscordKit
import Foundation
import Logging

/// Someone waiting for a bot message (command answers that are not task results). Registered before
/// the request that causes the answer is sent; an answer that comes before the wait starts is kept.
struct MessageWaiter {
    var predicate: @Sendable (Message) -> Bool
    var continuation: CheckedContinuation<Message?, Never>?
    var received: Message?
}

extension DiscordAccount {
    /// Registers a waiter, runs `send` (the request whose answer is awaited), then waits up to
    /// `timeout` for a bot message matching `predicate`; nil on timeout. Errors of `send` are rethrown.
    func sendAndWait(
        timeout: Duration, where predicate: @escaping @Sendable (Message) -> Bool, send: () async throws -> Void
    ) async throws -> Message? {
        let id = UUID()
        waiters[id] = MessageWaiter(predicate: predicate)
        do {
            try await send()
        } catch {
            abandon(id)
            throw error
        }
        return await awaitMessage(id, timeout: timeout)
    }

    /// Waits up to `timeout` for a bot message matching `predicate` (for answers to no request of ours).
    func waitForMessage(timeout: Duration, where predicate: @escaping @Sendable (Message) -> Bool) async -> Message? {
        (try? await sendAndWait(timeout: timeout, where: predicate, send: {})) ?? nil
    }

    private func awaitMessage(_ id: UUID, timeout: Duration) async -> Message? {
        await withTaskGroup(of: Message?.self) { group in
            group.addTask { await self.collect(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            abandon(id)
            group.cancelAll()
            return first
        }
    }

    /// The waiter's message: at once when it already came, else when it comes (nil once abandoned).
    private func collect(_ id: UUID) async -> Message? {
        guard let waiter = waiters[id] else { return nil }
        if let message = waiter.received {
            waiters[id] = nil
            return message
        }
        return await withCheckedContinuation { continuation in
            if waiters[id] != nil {
                waiters[id]?.continuation = continuation
            } else {
                continuation.resume(returning: nil)
            }
        }
    }

    /// Ends a wait (resuming it with nil if it is still pending).
    private func abandon(_ id: UUID) {
        waiters.removeValue(forKey: id)?.continuation?.resume(returning: nil)
    }

    /// Hands a bot message to the first waiter it satisfies; true when one took it.
    func offerToWaiters(_ message: Message) -> Bool {
        guard let (id, waiter) = waiters.first(where: { $0.value.received == nil && $0.value.predicate(message) }) else { return false }
        if let continuation = waiter.continuation {
            waiters[id] = nil
            continuation.resume(returning: message)
        } else {
            waiters[id]?.received = message
        }
        return true
    }
}
