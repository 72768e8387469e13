import DiscordKit
import Testing

/// The hand-written formatters that replace `String(format:)` and ICU date formatters.
@Suite struct TextFormatTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000+00:00"),
        (1_722_515_696_789, "2024-08-01T12:34:56.789000+00:00"),
        (1_709_164_800_123, "2024-02-29T00:00:00.123000+00:00"),
        (951_782_400_000, "2000-02-29T00:00:00.000000+00:00"),
        (4_102_444_799_999, "2099-12-31T23:59:59.999000+00:00"),
        (-1, "1969-12-31T23:59:59.999000+00:00"),
    ])
    func discordTimestamps(millis: Int64, expected: String) {
        #expect(TextFormat.discordTimestamp(millis: millis) == expected)
    }

    @Test func hexAndPadding() {
        #expect(TextFormat.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(TextFormat.hex([UInt8]()) == "")
        #expect(TextFormat.hex(0x1f, width: 8) == "0000001f")
        #expect(TextFormat.hex(UInt64.max, width: 8) == "ffffffffffffffff")
        #expect(TextFormat.decimal(7, width: 3) == "007")
        #expect(TextFormat.decimal(1234, width: 3) == "1234")
        #expect(TextFormat.decimal(-5, width: 3) == "-5")
    }
}
