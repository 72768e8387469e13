import Foundation

/// Decides from the raw bytes of a MESSAGE_* dispatch whether it can concern one client at all,
/// before the costly typed decode. A user account receives the messages of every channel of its
/// guilds it can see; a pool of accounts in one guild would otherwise decode each bot message once
/// per account. A frame is skipped only when it is a guild message (has `guild_id`) and none of
/// the `channel_id` values it carries (the message's own, a reply's reference) passes `wanted`.
public enum ChannelPrefilter {
    private static let key = Array(#""channel_id""#.utf8)
    private static let guildKey = Array(#""guild_id""#.utf8)

    /// True when the frame certainly does not concern the client.
    public static func skips(_ frame: Data, wanted: (String) -> Bool) -> Bool {
        frame.withUnsafeBytes { raw in skips(raw.bindMemory(to: UInt8.self), wanted: wanted) }
    }

    /// True when the message (a frame or its `d`) certainly does not concern the client.
    public static func skips(_ message: ArraySlice<UInt8>, wanted: (String) -> Bool) -> Bool {
        message.withUnsafeBufferPointer { skips($0, wanted: wanted) }
    }

    private static func skips(_ bytes: UnsafeBufferPointer<UInt8>, wanted: (String) -> Bool) -> Bool {
        guard contains(bytes, guildKey) else { return false }  // DMs always pass
        var found = false
        var i = 0
        while let at = index(of: key, in: bytes, from: i) {
            found = true
            i = at + key.count
            if let id = value(after: i, in: bytes), wanted(id) { return false }
        }
        return found
    }

    /// The string value following `"key"` at `start`: optional spaces, a colon, spaces, a quoted string.
    private static func value(after start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var i = start
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let begin = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), i - begin < 32 { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<i]), as: UTF8.self)
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool { index(of: needle, in: bytes, from: 0) != nil }

    private static func index(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, needle.count <= bytes.count else { return nil }
        var i = from
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
