import DiscordKit
import Foundation
import Logging

extension DiscordAccount {
    /// A crash between storing a task's nonce and Discord receiving its POST leaves a task that may or
    /// may not run. It is adopted, never re-sent at once; if after `behaviour.resendUnconfirmedAfter`
    /// (connected, history read) no bot message came for it, it is sent again with a new nonce: Discord
    /// makes a bot acknowledge an interaction within 3 s and Midjourney posts a start message at once,
    /// so that silence means the POST never arrived. So it is neither lost nor, when its job did start,
    /// sent twice.
    func resolveUnconfirmed(now: Int64) async {
        guard !unconfirmed.isEmpty, status == .connected else { return }
        for (id, adoptedAt) in unconfirmed {
            guard let task = try? await registry.task(id: id), task.status == .notStart, slots.isRunning(id), !slots.isCancelled(id) else {
                unconfirmed[id] = nil
                continue
            }
            // Any activity after the adoption (a start, progress or error message) confirms the job.
            if (task.lastActivity ?? 0) > adoptedAt {
                unconfirmed[id] = nil
                continue
            }
            guard Duration.milliseconds(now - adoptedAt) > behaviour.resendUnconfirmedAfter else { continue }
            unconfirmed[id] = nil
            logger.warning("no sign of a job sent before the restart: sending it again", metadata: ["task": "\(id)"])
            await registry.update(id) { $0.setProperty("nonce", nil) }
            matcher.forget(id)
            _ = slots.release(id)
            slots.requeue(id)
            wake.yield()
        }
    }
}
