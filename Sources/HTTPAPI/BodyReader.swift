import Hummingbird
import NIOCore

/// Reads a request body with two bounds applied while reading, not after: a byte limit (the
/// collector stops at `upTo`) and a deadline (a client trickling bytes cannot hold the handler).
enum BodyReader {
    /// What reading gave.
    enum Outcome: Sendable {
        case body([UInt8])
        case tooLarge
        case timedOut
    }

    /// Collects the body of `request`, at most `limit` bytes, within `timeout`.
    static func read(_ request: Request, upTo limit: Int, timeout: Duration) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    let buffer = try await request.body.collect(upTo: limit)
                    return .body(Array(buffer.readableBytesView))
                } catch {
                    // Over the limit, or the client went away mid-body: either way nothing usable arrived.
                    return Task.isCancelled ? nil : .tooLarge
                }
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .timedOut
            }
            var outcome: Outcome = .timedOut
            for await result in group {
                guard let result else { continue }
                outcome = result
                break
            }
            group.cancelAll()
            return outcome
        }
    }
}
