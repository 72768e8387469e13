import DiscordKit
import Foundation

/// Where an account's waiting tasks go when it can no longer run them (disabled, paused for a
/// captcha, token dead): the pool gives them to other eligible accounts, or fails them.
public typealias HandOver = @Sendable (_ taskIds: [String], _ from: DiscordAccount, _ reason: String) async -> Void

extension DiscordAccount {
    /// Sets what happens to waiting tasks this account gives up (the pool sets it when adding the account).
    public func setHandOver(_ handOver: @escaping HandOver) { self.handOver = handOver }

    /// Gives up every waiting task (queued, not yet sent; MODAL ones stay with the account): the
    /// hand-over moves them, or without one they fail with `reason`. Tasks already sent to Discord
    /// are untouched (they finish or time out here).
    func handOverWaiting(reason: String) async {
        let waiting = slots.drainQueued()
        guard !waiting.isEmpty else { return }
        if let handOver {
            await handOver(waiting, self, reason)
        } else {
            for id in waiting { await registry.update(id) { $0.fail(reason, at: nowMillis()) } }
        }
    }
}
