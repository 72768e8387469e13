import DiscordKit
import Foundation
import Testing

/// Guild messages of other channels are skipped before decoding; anything that may concern us is not.
@Suite struct ChannelPrefilterTests {
    static func frame(_ d: String) -> Data { Data(#"{"op":0,"t":"MESSAGE_CREATE","s":5,"d":\#(d)}"#.utf8) }
    static let mine: @Sendable (String) -> Bool = { $0 == "111" }

    @Test func otherChannelsAreSkippedOwnAndDMsAreNot() {
        #expect(ChannelPrefilter.skips(Self.frame(#"{"id":"1","channel_id":"222","guild_id":"9","content":"x"}"#), wanted: Self.mine))
        #expect(!ChannelPrefilter.skips(Self.frame(#"{"id":"1","channel_id":"111","guild_id":"9"}"#), wanted: Self.mine))
        // Spaces around the colon, and the own channel only in a reply's reference: kept.
        #expect(!ChannelPrefilter.skips(Self.frame(#"{"channel_id" : "111","guild_id":"9"}"#), wanted: Self.mine))
        #expect(!ChannelPrefilter.skips(
            Self.frame(#"{"message_reference":{"channel_id":"111"},"channel_id":"222","guild_id":"9"}"#), wanted: Self.mine))
        // A DM (no guild) always passes; so does a frame without any channel id or a malformed one.
        #expect(!ChannelPrefilter.skips(Self.frame(#"{"id":"1","channel_id":"333"}"#), wanted: Self.mine))
        #expect(!ChannelPrefilter.skips(Self.frame(#"{"id":"1","guild_id":"9"}"#), wanted: Self.mine))
    }
}
