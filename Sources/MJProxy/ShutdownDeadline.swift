import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// Ends the process when a graceful shutdown (SIGTERM/SIGINT) has not finished within `limit`.
///
/// ServiceLifecycle's own `maximumCancellationDuration` ends an overrunning shutdown with a fatal error
/// (a crash report, exit by SIGILL); a loaded machine can legitimately overrun it. This logs the overrun and
/// exits with status 1 instead. Unfinished tasks and undelivered webhooks stay in the store and are taken up
/// at the next start. Listed last in the group, it hears of the shutdown first and arms a timer on a
/// dispatch queue (not a task: tasks are cancelled by then).
struct ShutdownDeadline: Service {
    let limit: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let logger = self.logger
        let limit = self.limit
        let nanoseconds = Int(limit.components.seconds) * 1_000_000_000 + Int(limit.components.attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
            logger.error("shutdown did not finish in time; exiting", metadata: ["limit": "\(limit)"])
            exit(1)
        }
    }
}
