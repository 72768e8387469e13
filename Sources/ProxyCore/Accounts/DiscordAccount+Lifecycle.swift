import DiscordKit
import Foundation

extension DiscordAccount {
    /// Ends `run`: the dispatcher stops and the gateway connection closes. Waiting tasks are not
    /// touched here (the caller moves or fails them first).
    public func stop() {
        wake.finish()
        if !runStarted { ended.fulfil(true) }
    }

    /// Returns once `run` has ended after `stop` (its Discord requests done or cancelled): what it
    /// wrote is in the registry, and it sends nothing more.
    public func waitUntilStopped() async { _ = await ended.value() }

    /// Takes the waiting (not yet started) tasks off the queue and returns them.
    public func takeQueued() -> [String] { slots.drainQueued() }

    /// An operator disabled the account: it takes no new task (its config says so); every waiting
    /// task (queued or MODAL) fails with `reason`. Running tasks finish on the open connection.
    public func disableByOperator(failingWaitingWith reason: String) async {
        await failQueued(reason)
    }

    /// Seeds what the bots last told the account (from the store) until its new session reads them again.
    public func restore(_ state: AccountBotState) {
        for (bot, on) in state.remix {
            guard let bot = BotType(rawValue: bot), remix[bot] == nil else { continue }
            remix[bot] = on
        }
        for (bot, mode) in state.mode {
            guard let bot = BotType(rawValue: bot), bots.mode[bot] == nil else { continue }
            bots.mode[bot] = mode
        }
        for (bot, version) in state.version {
            guard let bot = BotType(rawValue: bot), bots.version[bot] == nil else { continue }
            bots.version[bot] = version
        }
        if bots.lastConnect == nil { bots.lastConnect = state.lastConnect }
    }
}
