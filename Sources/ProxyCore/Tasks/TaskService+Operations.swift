import DiscordKit
import Foundation
import Logging

/// Cancel, image seeds, image hosting and startup recovery.
extension TaskService {
    /// `POST /mj/task/{id}/cancel`. Nil when the task is unknown.
    public func cancel(taskId: String) async -> SubmitResult? {
        guard let task = try? await registry.task(id: taskId) else { return nil }
        guard !task.status.isFinished else { return validation("V32") }
        let reason = text("F4")
        // Run by another instance (several on one store): cancelled in the store, its holder stops it.
        if await registry.liveTask(id: taskId) == nil, let writes = sharedWrites.value {
            let cancelled = await registry.finishElsewhere(taskId, using: writes) {
                $0.status = .cancel
                $0.failReason = reason
                $0.finishTime = max(nowMillis(), $0.startTime ?? $0.submitTime)
            }
            return cancelled == nil ? validation("V32") : SubmitResult(code: 1, description: text("S8"), result: taskId)
        }
        if let accountId = task.accountId, let account = await pool.account(id: accountId) { await account.cancel(taskId) }
        let cancelled = await registry.transition(taskId, from: [.notStart, .submitted, .inProgress, .modal]) {
            $0.status = .cancel
            $0.failReason = reason
            $0.finishTime = max(nowMillis(), $0.startTime ?? $0.submitTime)
        }
        // Finished meanwhile: a finished task never changes.
        guard cancelled != nil else { return validation("V32") }
        return SubmitResult(code: 1, description: text("S8"), result: taskId)
    }

    /// `GET /mj/task/{id}/image-seed`. Nil when the task is unknown.
    public func imageSeed(taskId: String, timeout: Duration = .seconds(25)) async -> SubmitResult? {
        guard let task = try? await registry.task(id: taskId) else { return nil }
        if let seed = task.property("seed") { return SubmitResult(code: 1, description: text("S8"), result: seed) }
        guard task.status == .success, task.messageHash != nil, ![.describe, .shorten, .swapFace].contains(task.action) else {
            return validation("V38")
        }
        guard let accountId = task.accountId, let account = await pool.account(id: accountId), await account.isAvailable else {
            return validation("V14", ["id": task.accountId ?? ""])
        }
        guard let seed = await account.imageSeed(task: task, timeout: timeout) else { return SubmitResult(code: 9, description: text("S9")) }
        await registry.setSeed(taskId, seed)
        return SubmitResult(code: 1, description: text("S8"), result: seed)
    }

    /// `POST /mj/submit/upload-discord-images`: hosts images in an account's channel, returns their URLs.
    public func uploadImages(_ images: [SubmittedImage], common: SubmitCommon) async -> (SubmitResult, [String]?) {
        let account: DiscordAccount
        do { account = try await chooseAccount(common, mode: nil) } catch { return (error, nil) }
        let stamp = ids.next()
        do {
            let urls = try await account.hostImages(Self.pending(images, taskId: stamp))
            return (SubmitResult(code: 1, description: text("S1")), urls)
        } catch {
            return (SubmitResult(code: 9, description: text("F3")), nil)
        }
    }

    /// Puts recovered unfinished tasks back on their accounts after a restart.
    public func recover() async {
        do {
            let tasks = try await registry.recover()
            let (requeued, adopted) = await resume(tasks, orphans: .fail)
            if !tasks.isEmpty { logger.info("recovered unfinished tasks", metadata: ["requeued": "\(requeued)", "running": "\(adopted)"]) }
        } catch {
            logger.error("task recovery failed", metadata: ["error": "\(error)"])
        }
    }

    /// What `resume` does with a task whose account is not running here.
    enum Orphans {
        /// Fail it (F6): its account is gone (startup recovery).
        case fail
        /// Leave it in the store for the instance that holds its account (cluster pick-up).
        case forget
    }

    /// Puts unfinished tasks (in the registry's memory) on their accounts, as after a restart: waiting
    /// ones are queued again; those whose interaction may have been sent are adopted and never sent at
    /// once (their bot messages, live or from the channel history, still reach them); MODAL ones are
    /// tracked. Returns how many were queued and adopted.
    @discardableResult
    func resume(_ tasks: [MJTask], orphans: Orphans) async -> (requeued: Int, adopted: Int) {
        var requeued = 0
        var adopted = 0
        var forgotten = Set<String>()
        for task in tasks {
            guard let accountId = task.accountId, let account = await pool.account(id: accountId), account.config.enabled else {
                switch orphans {
                case .fail:
                    let reason = text("F6", ["id": task.accountId ?? ""])
                    await registry.update(task.id) { $0.fail(reason, at: nowMillis()) }
                case .forget:
                    if let accountId = task.accountId, forgotten.insert(accountId).inserted { _ = await registry.forget(accountId: accountId) }
                }
                continue
            }
            switch task.status {
            case .notStart where task.nonce != nil:
                // Its interaction may have been sent before the crash: never send it again; its
                // bot messages (live or from the channel history) still reach it, else it times out.
                await account.adopt(task)
                adopted += 1
            case .notStart:
                await account.requeue(task.id)
                requeued += 1
            case .submitted, .inProgress:
                await account.adopt(task)
                adopted += 1
            case .modal:
                await account.trackModal(task.id)
            default:
                break
            }
        }
        return (requeued, adopted)
    }

    /// Takes over the unfinished tasks of `accounts` (held here) that this instance does not run yet:
    /// all of them when an account was just taken (its previous holder stopped or died), or those named
    /// by `taskIds` (submitted on another instance). Each one is queued or adopted exactly once here.
    public func adopt(accounts: Set<String>, taskIds: [String]?) async {
        do {
            let tasks = try await registry.adoptStored(accounts: accounts, ids: taskIds)
            guard !tasks.isEmpty else { return }
            let (requeued, adopted) = await resume(tasks, orphans: .forget)
            logger.info("tasks taken over", metadata: ["requeued": "\(requeued)", "running": "\(adopted)", "accounts": "\(accounts.sorted())"])
        } catch {
            logger.warning("taking over tasks failed", metadata: ["error": "\(error)"])
        }
    }
}
