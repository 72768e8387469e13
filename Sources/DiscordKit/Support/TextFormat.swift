import Foundation

/// Small text formatting without Foundation's `String(format:)` or date formatters: those go through
/// CoreFoundation and ICU (slow per call, and they pull ICU's data into memory) and sit on hot paths
/// here (task ids, message timestamps, signatures).
public enum TextFormat {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, two digits per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` in lower-case hex, left-padded with zeros to `width` digits.
    public static func hex(_ value: UInt64, width: Int) -> String {
        padded(String(value, radix: 16), width: width)
    }

    /// A non-negative `value` in decimal, left-padded with zeros to `width` digits (negative values are not padded).
    public static func decimal(_ value: Int, width: Int) -> String {
        value < 0 ? String(value) : padded(String(value), width: width)
    }

    private static func padded(_ digits: String, width: Int) -> String {
        digits.utf8.count >= width ? digits : String(repeating: "0", count: width - digits.utf8.count) + digits
    }

    /// An ISO 8601 timestamp in UTC as Discord writes it: `2024-08-01T12:34:56.789000+00:00`.
    public static func discordTimestamp(millis: Int64) -> String {
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let msOfDay = Int(millis - days * 86_400_000)
        let (y, m, d) = civil(daysSinceEpoch: days)
        let time =
            decimal(msOfDay / 3_600_000, width: 2) + ":" + decimal(msOfDay / 60_000 % 60, width: 2) + ":"
            + decimal(msOfDay / 1000 % 60, width: 2) + "." + decimal(msOfDay % 1000, width: 3) + "000+00:00"
        return decimal(Int(y), width: 4) + "-" + decimal(m, width: 2) + "-" + decimal(d, width: 2) + "T" + time
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (the "days from civil" inverse,
    /// on 400-year eras of 146,097 days).
    static func civil(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
