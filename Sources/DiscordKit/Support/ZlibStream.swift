import CZlib

// Discord's zlib-stream transport keeps ONE zlib context for the whole gateway connection and
// marks the end of every message with a sync flush (00 00 ff ff). No package in our set keeps
// such a long-lived context (HummingbirdWSCompression is permessage-deflate, a different thing),
// so these two small classes are written by hand over the system zlib.

/// The zlib sync-flush marker that ends each zlib-stream message.
public let zlibSyncFlushSuffix: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

/// Inflates a Discord zlib-stream: feed frames, get one JSON message per completed flush.
/// Not thread-safe by design: owned by the single task that reads one connection.
public final class ZlibStreamInflater {
    /// Default bound of one message, inflated or still compressed (Discord's largest payloads are a few MB).
    public static let defaultMaxMessageBytes = 16 << 20

    private var stream = z_stream()
    private var pending: [UInt8] = []
    private var initialised = false
    private let maxMessageBytes: Int

    /// Creates an inflater with a fresh context. A message that inflates beyond `maxMessageBytes`, or
    /// whose compressed frames exceed it before the flush marker, is an error (never unbounded memory).
    public init(maxMessageBytes: Int = ZlibStreamInflater.defaultMaxMessageBytes) throws {
        self.maxMessageBytes = max(1, maxMessageBytes)
        // The window is the one the stream's header announces (Discord: 32 KB; smaller senders cost less memory).
        let rc = czlib_inflateInitHeaderWindow(&stream)
        guard rc == Z_OK else { throw DiscordError.protocolViolation("inflateInit failed (\(rc))") }
        initialised = true
    }

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    /// Appends one frame. Returns the inflated message once the buffer ends with the flush marker.
    public func feed(_ bytes: some Collection<UInt8>) throws -> [UInt8]? {
        guard bytes.count <= maxMessageBytes - pending.count else {
            pending.removeAll()
            throw DiscordError.protocolViolation("zlib-stream message larger than \(maxMessageBytes) bytes before its flush marker")
        }
        pending.append(contentsOf: bytes)
        guard pending.count >= 4, pending[pending.count - 4] == 0x00, pending[pending.count - 3] == 0x00,
            pending[pending.count - 2] == 0xFF, pending[pending.count - 1] == 0xFF
        else { return nil }
        // Keeps a small buffer for the next message; a large one (READY) is given back.
        defer { pending.removeAll(keepingCapacity: pending.capacity <= 16 << 10) }
        var output: [UInt8] = []
        output.reserveCapacity(min(pending.count * 4, maxMessageBytes))
        let limit = maxMessageBytes
        var chunk = [UInt8](repeating: 0, count: min(64 * 1024, max(4096, pending.count * 8)))
        try pending.withUnsafeMutableBufferPointer { input in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            repeat {
                let produced: Int = try chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let rc = inflate(&stream, Z_SYNC_FLUSH)
                    guard rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END else {
                        throw DiscordError.protocolViolation("inflate failed (\(rc))")
                    }
                    return out.count - Int(stream.avail_out)
                }
                guard produced <= limit - output.count else {
                    throw DiscordError.protocolViolation("zlib-stream message inflates beyond \(limit) bytes")
                }
                output.append(contentsOf: chunk[0..<produced])
                if produced == 0 && stream.avail_in == 0 { break }
            } while stream.avail_in > 0 || stream.avail_out == 0
            stream.next_in = nil
        }
        return output
    }
}

/// Deflates gateway messages into one zlib-stream, each ending with a sync flush.
/// Not thread-safe by design: owned by the single writer of one connection.
public final class ZlibStreamDeflater {
    private var stream = z_stream()
    private var initialised = false

    /// Creates a deflater with a fresh context. A smaller `windowBits` (9–15) and `memLevel` (1–9) cost
    /// less memory per connection (zlib's defaults, 15 and 8, take about 256 KB); any inflater with a
    /// 15-bit window reads the stream.
    public init(level: Int32 = Z_DEFAULT_COMPRESSION, windowBits: Int32 = 15, memLevel: Int32 = 8) throws {
        let rc = czlib_deflateInit2(&stream, level, windowBits, memLevel)
        guard rc == Z_OK else { throw DiscordError.protocolViolation("deflateInit failed (\(rc))") }
        initialised = true
    }

    deinit {
        if initialised { deflateEnd(&stream) }
    }

    /// Compresses one message and sync-flushes, so the output ends with 00 00 ff ff.
    public func compress(_ message: [UInt8]) throws -> [UInt8] {
        var input = message
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(1024, message.count / 2 + 64))
        try input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let produced: Int = try chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let rc = deflate(&stream, Z_SYNC_FLUSH)
                    guard rc == Z_OK || rc == Z_BUF_ERROR else { throw DiscordError.protocolViolation("deflate failed (\(rc))") }
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        return output
    }
}
