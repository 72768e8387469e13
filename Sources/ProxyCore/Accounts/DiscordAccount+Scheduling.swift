import DiscordKit
import Foundation

extension DiscordAccount {
    /// Whether one more task fits (a free slot, or room in the queue).
    public var hasRoom: Bool { slots.admitsMore }

    /// Jobs started today (UTC).
    public var jobsToday: Int { scheduling.jobs.count(at: nowMillis()) }

    /// The account as scheduling sees it now, for `bot`: read from the published view, without a hop.
    public nonisolated func candidate(order: Int, bot: BotType) -> AccountCandidate {
        viewBox.withLock { $0 }.candidate(config: config, order: order, bot: bot, now: nowMillis())
    }

    /// Publishes what scheduling reads (called whenever status, bot state, remix, slots or the daily count change).
    func publishView() {
        let view = Self.view(available: isAvailable, bots: bots, remix: remix, slots: slots, scheduling: scheduling)
        viewBox.withLock { $0 = view }
    }

    static func view(available: Bool, bots: BotState, remix: [BotType: Bool], slots: AccountSlots, scheduling: AccountSchedulingState)
        -> AccountSchedulingView
    {
        AccountSchedulingView(
            available: available, remix: remix, fastExhausted: bots.fastExhausted, jobs: scheduling.jobs, running: slots.running.count,
            queued: slots.queue.count, hasRoom: slots.admitsMore)
    }

    /// Counts a task that just took a slot for the daily limit.
    func countStarted(_ taskId: String) {
        let now = nowMillis()
        scheduling.jobs.add(at: now)
        scheduling.counted[taskId] = now
    }

    /// Takes back the count of a task that left its slot without a job being sent.
    func uncountStarted(_ taskId: String) {
        guard let at = scheduling.counted.removeValue(forKey: taskId) else { return }
        scheduling.jobs.remove(at: at)
    }

    /// The channel a new job of `task` goes to: an action's parent channel when it is one of the
    /// account's; otherwise the least busy of the main channel and the sub-channels.
    func chooseChannel(for task: MJTask) -> String {
        let channels = config.channels
        if task.customId != nil || task.parentId != nil {
            if let parent = task.property("discordChannelId"), channels.contains(parent) { return parent }
            return config.channelId
        }
        scheduling.channelOf = scheduling.channelOf.filter { slots.isRunning($0.key) }
        return ChannelChoice.leastBusy(channels, busy: Array(scheduling.channelOf.values)) ?? config.channelId
    }

    /// Records the channel a task's job uses.
    func noteChannel(_ channel: String, for taskId: String) { scheduling.channelOf[taskId] = channel }

    /// Waits, if pacing asks for it, so submits of this account are at least `minSubmitInterval` apart.
    func paceSubmit() async throws {
        let interval = config.minSubmitInterval
        guard interval > 0, interval.isFinite else { return }
        let wait = scheduling.pacer.reserve(now: ContinuousClock.now, interval: .milliseconds(Int64(interval * 1000)))
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}

extension DiscordAccount {
    /// The outbound proxy of an account: its own `proxy`, else the global one (validated at load; an
    /// unparsable value here means direct).
    static func discordProxy(_ config: AccountConfig, _ behaviour: AccountBehaviour) -> OutboundProxy? {
        if let own = config.proxy, !own.trimmingCharacters(in: .whitespaces).isEmpty { return try? OutboundProxy(url: own) }
        return behaviour.discordProxy
    }
}
