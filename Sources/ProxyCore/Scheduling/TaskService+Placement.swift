import DiscordKit

extension TaskService {
    /// Requested speed modes in order of preference (contract §1.7): the path prefix; else the
    /// `accountFilter.modes` list (the first one an eligible account allows wins); else a
    /// `--fast`/`--relax`/`--turbo` prompt flag (`fromPrompt`); else none.
    static func requestedModes(common: SubmitCommon, prompt: String?) -> (modes: [SpeedMode], fromPrompt: Bool) {
        if let m = common.pathMode { return ([m], false) }
        if let modes = common.filter?.modes, !modes.isEmpty { return (modes, false) }
        let (m, fromPrompt) = requestedMode(common: SubmitCommon(botType: common.botType), prompt: prompt)
        return (m.map { [$0] } ?? [], fromPrompt)
    }

    /// Places a new task: the pool chooses an eligible account with room, `prepare` adapts the task
    /// to it (speed flag, fixed mode), and the task is enqueued there. When that queue filled up in
    /// the meantime (a concurrent submission won the race), the next eligible account is tried, so
    /// 23 is answered only when every eligible queue is full. Refusals: 3, 4 (V12/V13), 23. With several
    /// instances, a task no account of this instance can take goes to an account another instance holds.
    func place(
        _ task: MJTask, request: Eligibility.Request, prepare: (inout MJTask, AccountConfig, SpeedMode?) -> Void = { _, _, _ in }
    ) async -> SubmitResult {
        var excluded = Set<String>()
        while true {
            switch await pool.choose(request, excluding: excluded, placing: true) {
            case .failure(let e):
                if let handed = await placeElsewhere(task, request: request, prepare: prepare) { return handed }
                return choiceError(e)
            case .success(let choice):
                var placed = task
                prepare(&placed, choice.account.config, choice.mode)
                let result = await enqueue(placed, on: choice.account)
                await pool.placed(choice.account.config.id)
                guard result.code == 23, excluded.insert(choice.account.config.id).inserted else { return result }
            }
        }
    }

    /// The prompt of an imagine/shorten for the chosen account: a fixed mode replaces any flag; a
    /// requested mode not written in the prompt is appended as its flag.
    static func prompt(_ promptEn: String, for account: AccountConfig, mode: SpeedMode?, fromPrompt: Bool) -> (prompt: String, mode: SpeedMode?) {
        if let fixed = account.fixedMode { return (applyMode(fixed, to: promptEn), fixed) }
        guard let mode else { return (promptEn, nil) }
        return (fromPrompt ? promptEn : applyMode(mode, to: promptEn), mode)
    }
}
