import Foundation

/// The hours (UTC) an account works: one or more `HH:MM-HH:MM` ranges separated by commas; a range
/// may wrap midnight (`22:00-06:00`); the end is exclusive; a range whose start equals its end is the whole day.
public struct WorkWindow: Sendable, Equatable {
    /// Ranges in minutes of the day, start inclusive, end exclusive.
    public private(set) var ranges: [(start: Int, end: Int)]

    /// Why a window text was refused.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses e.g. `09:00-18:00` or `09:10-12:00, 13:00-23:55`.
    public init(_ text: String) throws(ParseError) {
        var ranges: [(Int, Int)] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-")
            guard bounds.count == 2, let start = Self.minutes(bounds[0]), let end = Self.minutes(bounds[1]) else {
                throw ParseError(description: "must be HH:MM-HH:MM (UTC), several separated by commas")
            }
            ranges.append((start, end))
        }
        guard !ranges.isEmpty else { throw ParseError(description: "must be HH:MM-HH:MM (UTC)") }
        self.ranges = ranges
    }

    /// `HH:MM` → minutes of the day (24:00 allowed as an end).
    static func minutes(_ text: Substring) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m)
        else { return nil }
        let total = h * 60 + m
        return total <= 24 * 60 ? total : nil
    }

    /// Whether the minute of the day `minute` (0..<1440) lies inside the window.
    public func contains(minuteOfDay minute: Int) -> Bool {
        ranges.contains { r in
            if r.start == r.end || (r.start == 0 && r.end == 24 * 60) { return true }
            if r.start < r.end { return minute >= r.start && minute < r.end }
            return minute >= r.start || minute < r.end
        }
    }

    /// Whether the instant `millis` (ms since 1970, UTC) lies inside the window.
    public func contains(millis: Int64) -> Bool {
        let minute = Int((millis / 60_000) % (24 * 60))
        return contains(minuteOfDay: minute < 0 ? minute + 24 * 60 : minute)
    }

    public static func == (a: WorkWindow, b: WorkWindow) -> Bool {
        a.ranges.count == b.ranges.count && zip(a.ranges, b.ranges).allSatisfy { $0.start == $1.start && $0.end == $1.end }
    }
}
