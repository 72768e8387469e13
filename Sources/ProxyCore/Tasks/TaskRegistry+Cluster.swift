import DiscordKit
import Logging

/// Tasks moving between instances (several instances on one store): an instance runs the unfinished
/// tasks of the accounts it holds; it takes them from the store when it takes an account or when
/// another instance submitted one for its account, and forgets them when the account moves away.
extension TaskRegistry {
    /// Reads unfinished tasks of `accounts` from the store (only `ids` when given) and takes into memory
    /// those not known here yet; returns them (the caller queues or adopts them on their accounts). A task
    /// in memory, being written, or finished here is never taken again, so none is run twice by this instance.
    public func adoptStored(accounts: Set<String>, ids: [String]? = nil) async throws -> [MJTask] {
        let candidates: [MJTask]
        if let ids {
            let unknown = ids.filter { live[$0] == nil }
            guard !unknown.isEmpty else { return [] }
            candidates = try await store.tasks(ids: unknown)
        } else {
            candidates = try await store.unfinished(accounts: accounts)
        }
        var taken: [MJTask] = []
        for task in candidates.sorted(by: { $0.id < $1.id }) where !task.status.isFinished {
            guard let account = task.accountId, accounts.contains(account), isUnknownHere(task.id) else { continue }
            live[task.id] = task
            cache.put(task)
            taken.append(task)
        }
        return taken
    }

    /// Drops the unfinished tasks of an account from memory (its lease moved to another instance): later
    /// updates of them here are no-ops, reads go to the store.
    public func forget(accountId: String) -> [String] {
        let ids = live.values.filter { $0.accountId == accountId }.map(\.id)
        for id in ids { live[id] = nil }
        return ids
    }

    /// Stores a new task that another instance runs (its account is held there): written and announced as
    /// `create` does, but not kept in memory here, so reads go to the store and this instance never runs it.
    public func createElsewhere(_ task: MJTask) async throws {
        var task = task
        task.revision = (task.revision ?? 0) + 1
        let event = TaskEvent.between(nil, task)
        let json = task.json.compactString
        try await store.save(task, outbox: outboxDeliveries(task, json, event))
        cache.put(task.id, Array(json.utf8), revision: task.revision ?? 0)
        metrics.taskCreated(task)
        if let event { await announce(task, event) }
    }

    /// Finishes a task another instance runs (a cancel received here): `mutate` applies to the stored task and
    /// is written only if it is still unfinished then (`SharedTaskWrites`), with its webhook delivery, and
    /// announced here; its holder stops running it on the change notification. Nil when it finished meanwhile.
    public func finishElsewhere(_ id: String, using writes: any SharedTaskWrites, _ mutate: @Sendable (inout MJTask) -> Void) async -> MJTask? {
        await changeElsewhere(id, using: writes, requiring: nil, mutate)
    }

    /// Changes a task another instance runs: `mutate` applies to the stored task, written only if it is still
    /// unfinished (and, with `requiring`, still has that status), with its webhook delivery, and announced here.
    /// Nil when the condition did not hold. A finished result is `finishElsewhere`.
    /// With `orHere`, a task running here is changed the same way (the store decides, so a change made on
    /// another instance at the same time cannot also win) and its state in memory follows.
    public func changeElsewhere(
        _ id: String, using writes: any SharedTaskWrites, requiring: TaskStatus?, orHere: Bool = false, _ mutate: @Sendable (inout MJTask) -> Void
    ) async -> MJTask? {
        guard orHere || live[id] == nil, let old = try? await store.task(id: id), !old.status.isFinished else { return nil }
        if let requiring, old.status != requiring { return nil }
        var new = old
        mutate(&new)
        guard requiring != nil || new.status.isFinished else { return nil }
        new.revision = (old.revision ?? 0) + 1
        let event = TaskEvent.between(old, new)
        if event != nil { new.sequence = old.sequence + 1 }
        let json = new.json.compactString
        do {
            let deliveries = outboxDeliveries(new, json, event)
            let written =
                if let requiring {
                    try await writes.replaceIfStatus(new, expected: requiring, outbox: deliveries)
                } else {
                    try await writes.finishIfUnfinished(new, outbox: deliveries)
                }
            guard written else { return nil }
        } catch {
            logger.error("task store write failed", metadata: new.logMetadata(["error": "\(error)"]))
            return nil
        }
        if new.status.isFinished {
            finishedHere[id] = true
            live[id] = nil
        } else if live[id] != nil {
            live[id] = new
        }
        cache.put(id, Array(json.utf8), revision: new.revision ?? 0)
        if let event { await announce(new, event) }
        return new
    }

    /// Another instance changed a task this instance runs (a MODAL task submitted there): the stored state
    /// replaces the one in memory when newer. Returns the states before and after, nil when nothing changed.
    public func reloadChanged(_ id: String) async -> (old: MJTask, new: MJTask)? {
        guard let old = live[id], let stored = try? await store.task(id: id), (stored.revision ?? 0) > (old.revision ?? 0),
            let current = live[id], current.revision == old.revision
        else { return nil }
        if stored.status.isFinished {
            live[id] = nil
            finishedHere[id] = true
        } else {
            live[id] = stored
        }
        cache.put(stored)
        return (old, stored)
    }

    /// Another instance finished a task this instance runs (it was cancelled there): it leaves memory
    /// unchanged in the store, so nothing here writes it again. True when it was running here.
    public func finishedElsewhere(_ id: String, revision: Int64) -> Bool {
        guard live.removeValue(forKey: id) != nil else { return false }
        finishedHere[id] = true
        cache.invalidate(id, revision: revision)
        return true
    }

    /// Not in memory, not being written and not finished here.
    func isUnknownHere(_ id: String) -> Bool {
        live[id] == nil && unsaved[id] == nil && amending[id] == nil && finishedHere[id] == nil
    }
}
