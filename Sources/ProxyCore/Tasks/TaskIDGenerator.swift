import DiscordKit
import Foundation
import Synchronization

/// Issues 16-digit task ids: epoch ms (13 digits, never decreasing) + 3 digits that grow by a random
/// step within one millisecond, so ids are unique, never reused and sort by creation time.
///
/// Instances sharing one store each hold a different lane (0–9, a lease in the store): then the 3 digits
/// are the lane and a counter (`lane·100 + n`), so two instances never issue the same id.
public final class TaskIDGenerator: Sendable {
    private let state = Mutex<(lastMillis: Int64, lastSuffix: Int)>((0, -1))
    private let laneState = Mutex<Int?>(nil)

    /// Sets (or, nil, clears) this instance's lane among instances sharing a store.
    public func setLane(_ lane: Int?) { laneState.withLock { $0 = lane.map { min(9, max(0, $0)) } } }

    /// The lane in use, if any.
    public var lane: Int? { laneState.withLock { $0 } }

    /// Creates a generator.
    public init() {}

    /// A fresh id for `now` (epoch ms).
    public func next(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) -> String {
        if let lane = self.lane { return next(now: now, lane: lane) }
        return state.withLock { s in
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

    /// An id in `lane`: the lane's 100 suffixes of a millisecond in order, then the next millisecond.
    private func next(now: Int64, lane: Int) -> String {
        state.withLock { s in
            var ms = max(now, s.lastMillis)
            var n = ms > s.lastMillis || s.lastSuffix / 100 != lane ? 0 : s.lastSuffix % 100 + 1
            if ms == s.lastMillis, s.lastSuffix / 100 != lane {
                // The lane changed within this millisecond: continue in the next one.
                ms += 1
                n = 0
            }
            if n > 99 {
                ms += 1
                n = 0
            }
            s.lastMillis = ms
            s.lastSuffix = lane * 100 + n
            return String(ms) + TextFormat.decimal(lane * 100 + n, width: 3)
        }
    }
}

/// Current time in epoch milliseconds.
public func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
