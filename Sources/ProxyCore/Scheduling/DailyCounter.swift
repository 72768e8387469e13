/// Jobs an account started during the current UTC day (in memory; a new day starts at zero).
public struct DailyCounter: Sendable, Equatable {
    private var day: Int64 = -1
    private var value = 0

    /// An empty counter.
    public init() {}

    static func day(of millis: Int64) -> Int64 { millis >= 0 ? millis / 86_400_000 : (millis + 1) / 86_400_000 - 1 }

    /// Counts one job at `millis`.
    public mutating func add(at millis: Int64) {
        let d = Self.day(of: millis)
        if d != day {
            day = d
            value = 0
        }
        value += 1
    }

    /// Takes back a job counted at `millis` (it never started) if still the same day.
    public mutating func remove(at millis: Int64) {
        if Self.day(of: millis) == day { value = max(0, value - 1) }
    }

    /// Jobs counted on the UTC day of `millis`.
    public func count(at millis: Int64) -> Int { Self.day(of: millis) == day ? value : 0 }
}
