import DiscordKit
import Logging

extension TaskService {
    /// Records a new task for an account another instance holds, when this instance has none that
    /// takes it (none serves the request, or their queues are full): the task is stored `NOT_START`
    /// for that account, and the store's change notification (or its holder's polling) makes the holder
    /// queue it. Nil when there is no such account (the caller answers the local refusal).
    func placeElsewhere(
        _ task: MJTask, request: Eligibility.Request, prepare: (inout MJTask, AccountConfig, SpeedMode?) -> Void
    ) async -> SubmitResult? {
        guard let remote = elsewhere.value else { return nil }
        let candidates = await remote.remoteCandidates(bot: request.botType)
        guard !candidates.isEmpty, case .success(let (eligible, mode)) = Eligibility.eligible(candidates, for: request, at: nowMillis()),
            let target = eligible.randomElement()?.config
        else { return nil }
        var placed = task
        prepare(&placed, target, mode)
        return await recordElsewhere(placed, for: target)
    }

    /// Stores `task` `NOT_START` for `target`, an account another instance holds (its holder picks it up),
    /// and answers code 1 (or 9 when the store refused it).
    func recordElsewhere(_ task: MJTask, for target: AccountConfig) async -> SubmitResult {
        var placed = task
        placed.accountId = target.id
        placed.setProperty("discordInstanceId", string: target.id)
        if placed.property("discordChannelId") == nil { placed.setProperty("discordChannelId", string: target.channelId) }
        if let hook = placed.notifyHook { placed.setProperty("notifyHook", string: hook) }
        do {
            try await registry.createElsewhere(placed)
        } catch {
            logger.error("task creation failed", metadata: placed.logMetadata(["error": "\(error)"]))
            return SubmitResult(code: 9, description: text("S3"))
        }
        logger.debug("task recorded for an account held by another instance", metadata: placed.logMetadata())
        return SubmitResult(code: 1, description: text("S1"), result: placed.id, properties: ["discordInstanceId": .string(target.id)])
    }

    /// Records a MODAL task for `target`, an account another instance holds (its holder tracks it; the modal
    /// may be submitted on any instance), and answers code 21 as `createModal` does.
    func recordModalElsewhere(_ task: MJTask, for target: AccountConfig, remix: Bool) async -> SubmitResult {
        var placed = task
        placed.lastActivity = nowMillis()
        let recorded = await recordElsewhere(placed, for: target)
        guard recorded.code == 1 else { return recorded }
        return SubmitResult(
            code: 21, description: text("S7"), result: task.id,
            properties: ["finalPrompt": .string(task.finalPrompt ?? ""), "remix": .bool(remix), "discordInstanceId": .string(target.id)])
    }

    /// For an action whose parent's account (or, with `chooseSameChannel`, an account of the parent's
    /// channel) runs on another instance: that account as a candidate (settings, remix mode as last stored).
    func remoteActionAccount(parent: MJTask, chooseSameChannel: Bool) async -> AccountCandidate? {
        guard let remote = elsewhere.value else { return nil }
        let candidates = await remote.remoteCandidates(bot: parent.botType)
        if let own = candidates.first(where: { $0.config.id == parent.accountId }) { return own }
        guard chooseSameChannel, let channel = parent.property("discordChannelId") else { return nil }
        return candidates.first { $0.config.channels.contains(channel) }
    }
}
