import DiscordKit
import Foundation
import Logging

/// Someone waiting for a bot message (command answers that are not task results).
struct MessageWaiter {
    var predicate: @Sendable (Message) -> Bool
    var continuation: CheckedContinuation<Message?, Never>
}

extension DiscordAccount {
    /// Waits up to `timeout` for a bot message matching `predicate`; nil on timeout.
    func waitForMessage(timeout: Duration, where predicate: @escaping @Sendable (Message) -> Bool) async -> Message? {
        let id = UUID()
        return await withTaskGroup(of: Message?.self) { group in
            group.addTask { await self.register(id, predicate) }
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

    private func register(_ id: UUID, _ predicate: @escaping @Sendable (Message) -> Bool) async -> Message? {
        if abandonedWaiters.remove(id) != nil { return nil }
        return await withCheckedContinuation { waiters[id] = MessageWaiter(predicate: predicate, continuation: $0) }
    }

    /// Ends a wait (resuming it with nil if it is still pending).
    private func abandon(_ id: UUID) {
        if let waiter = waiters.removeValue(forKey: id) {
            waiter.continuation.resume(returning: nil)
        } else {
            abandonedWaiters.insert(id)
        }
    }

    /// Hands a bot message to the first waiter it satisfies; true when one took it.
    func offerToWaiters(_ message: Message) -> Bool {
        guard let (id, waiter) = waiters.first(where: { $0.value.predicate(message) }) else { return false }
        waiters[id] = nil
        waiter.continuation.resume(returning: message)
        return true
    }
}
