import DiscordKit
import Foundation

extension DiscordAccount {
    /// One beat of the pool's shared timer (one timer for all accounts): the timeout sweep, the
    /// coalesced cursor write, and the periodic `/info` when due (as a side job of the account).
    public func tick(now: Int64 = nowMillis()) async {
        guard timers.ticking else { return }
        await sweepTimeouts(now: now)
        await flushCursors()
        if infoDue(now: now) {
            sideJobs.append { await self.periodicInfo() }
            wake.yield()
        }
    }

    /// Fails running tasks without Discord activity for `timeoutMinutes` (also those still in
    /// `execute`: uploading or waiting on a 429), queued ones older than 50 minutes and MODAL ones not
    /// submitted within 30 minutes.
    func sweepTimeouts(now: Int64 = nowMillis()) async {
        await resolveUnconfirmed(now: now)
        let limit = Int64(config.timeoutMinutes * 60_000)
        for (id, taken) in slots.running {
            // Unfinished tasks live in memory; a finished one frees its slot without a store read
            // (a cancelled one keeps it until its Discord job goes quiet: that needs its last activity).
            let live = await registry.liveTask(id: id)
            if live == nil && !slots.isCancelled(id) {
                release(id)
                continue
            }
            var found = live
            if found == nil { found = try? await registry.task(id: id) }
            guard let task = found else { continue }
            let since = max(task.lastActivity ?? task.startTime ?? task.submitTime, taken)
            if slots.isCancelled(id) {
                if now - since > limit { release(id) }
                continue
            }
            if task.status.isFinished {
                release(id)
                continue
            }
            if now - since > limit {
                let reason = Texts.text("F1", locale)
                await registry.update(id) { $0.fail(reason, at: now) }
                release(id)
            }
        }
        for id in slots.queue {
            guard let task = try? await registry.task(id: id), now - task.submitTime > 50 * 60_000 else { continue }
            slots.removeQueued(id)
            let reason = Texts.text("F1", locale)
            await registry.update(id) { $0.fail(reason, at: now) }
        }
        for id in slots.modal {
            guard let task = try? await registry.task(id: id) else { continue }
            if task.status != .modal {
                slots.untrackModal(id)
            } else if now - (task.lastActivity ?? task.submitTime) > 30 * 60_000 {
                slots.untrackModal(id)
                let reason = Texts.text("F5", locale)
                await registry.update(id) { $0.fail(reason, at: now) }
            }
        }
    }
}
