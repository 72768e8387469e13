import Foundation
import Synchronization

/// Issues 16-digit task ids: epoch ms (13 digits, never decreasing) + 3 random digits, never reused.
public final class TaskIDGenerator: Sendable {
    private let state = Mutex<(lastMillis: Int64, issued: Set<String>)>((0, []))

    /// Creates a generator.
    public init() {}

    /// A fresh id for `now` (epoch ms).
    public func next(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        state.withLock { s in
            var ms = max(now, s.lastMillis)
            while true {
                // Only ids of the current millisecond can collide: earlier ones have smaller prefixes.
                if ms > s.lastMillis {
                    s.issued.removeAll(keepingCapacity: true)
                    s.lastMillis = ms
                }
                // Try random suffixes for this millisecond; move on when all are taken.
                for _ in 0..<20 {
                    let id = String(ms) + String(format: "%03d", Int.random(in: 0..<1000))
                    if !s.issued.contains(id) {
                        s.issued.insert(id)
                        return id
                    }
                }
                ms += 1
            }
        }
    }
}

/// Current time in epoch milliseconds.
public func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
