import DiscordKit
import Foundation
import Testing

/// zlib-stream: one context per connection, messages end with a sync flush, frames may split them.
@Suite struct ZlibStreamTests {
    @Test func roundTripOverSplitFrames() throws {
        let deflater = try ZlibStreamDeflater()
        let inflater = try ZlibStreamInflater()
        for n in 0..<20 {
            let message = #"{"op":0,"s":\#(n),"t":"MESSAGE_CREATE","d":{"content":"\#(String(repeating: "x", count: n * 5000))"}}"#
            let compressed = try deflater.compress(Array(message.utf8))
            #expect(Array(compressed.suffix(4)) == zlibSyncFlushSuffix)
            // Feed in 4 KiB chunks: only the last one completes the message.
            var result: [UInt8]?
            var offset = 0
            while offset < compressed.count {
                let end = min(compressed.count, offset + 4096)
                let out = try inflater.feed(compressed[offset..<end])
                if end < compressed.count { #expect(out == nil || Array(compressed[(end - 4)..<end]) == zlibSyncFlushSuffix) }
                result = out ?? result
                offset = end
            }
            #expect(result.map { String(decoding: $0, as: UTF8.self) } == message)
        }
    }

    @Test func garbageIsAnError() throws {
        let inflater = try ZlibStreamInflater()
        #expect(throws: (any Error).self) { _ = try inflater.feed([1, 2, 3, 4, 5, 0, 0, 0xFF, 0xFF]) }
    }
}
