import DiscordKit
import Foundation
import Synchronization

/// Issues 16-digit task ids: epoch ms (13 digits, never decreasing) + 3 digits that grow by a random
/// step within one millisecond, so ids are unique, never reused and sort by creation time.
public final class TaskIDGenerator: Sendable {
    private let state = Mutex<(lastMillis: Int64, lastSuffix: Int)>((0, -1))

    /// Creates a generator.
    public init() {}

    /// A fresh id for `now` (epoch ms).
    public func next(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        state.withLock { s in
            var ms = max(now, s.lastMillis)
            var suffix: Int
            if ms > s.lastMillis {
                suffix = Int.random(in: 0..<100)
            } else {
                suffix = s.lastSuffix + Int.random(in: 1...9)
                if suffix > 999 {
                    ms += 1
                    suffix = Int.random(in: 0..<100)
                }
            }
            s.lastMillis = ms
            s.lastSuffix = suffix
            return String(ms) + TextFormat.decimal(suffix, width: 3)
        }
    }
}

/// Current time in epoch milliseconds.
public func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
