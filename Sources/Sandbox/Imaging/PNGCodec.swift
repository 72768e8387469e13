// PNGCodec.swift
//
// Hand-written PNG encoder/decoder. No package in the project's dependency set encodes or
// decodes PNG, and the sandbox must serve real image files, so this file implements the
// small subset of the PNG specification we need on top of zlib (the `CZlib` system module):
// - encode: 8-bit RGB (colour type 2), per-row adaptive filtering, zlib-compressed IDATs;
// - decode: non-interlaced greyscale / RGB / palette / grey+alpha / RGBA, bit depths 1-16
//   where the specification allows them, all five filter types, multiple IDAT chunks,
//   tRNS transparency; alpha is composited over white and the result is 8-bit RGB.

import CZlib
import Foundation

/// Minimal PNG encoder and decoder (see the file header for the supported subset).
enum PNGCodec {
    /// The 8-byte PNG file signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Largest IDAT payload written per chunk.
    static let maxIDATChunk = 1 << 18

    /// Largest accepted decoded raster (pixels, 4096 x 4096) to guard against decompression bombs:
    /// at 16-bit RGBA that is 128 MB of scanlines at most; larger inputs are refused (nil).
    static let maxDecodedPixels = 1 << 24

    // MARK: - Encoding

    /// Encodes `image` as an 8-bit RGB PNG (colour type 2, non-interlaced) with per-row
    /// adaptive filtering and zlib compression at `level` (0...9, -1 = zlib default).
    /// A zero-sized image is encoded as a single white pixel, since PNG forbids empty rasters.
    static func encode(_ image: RGBImage, level: Int32 = 6) -> [UInt8] {
        if image.width <= 0 || image.height <= 0 {
            return encode(RGBImage(width: 1, height: 1, red: 255, green: 255, blue: 255), level: level)
        }
        let width = image.width
        let height = image.height
        let stride = width * 3
        let rawCount = height * (stride + 1)
        var raw = [UInt8](repeating: 0, count: rawCount)
        image.pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                filterRows(src: src.baseAddress!, dst: dst.baseAddress!, stride: stride, height: height)
            }
        }

        let compressed = deflateSized(raw, level: max(-1, min(9, level)))
        let compressedCount = compressed.count

        var out: [UInt8] = []
        out.reserveCapacity(compressedCount + 128)
        out.append(contentsOf: signature)

        var ihdr: [UInt8] = []
        ihdr.reserveCapacity(13)
        appendBE32(&ihdr, UInt32(width))
        appendBE32(&ihdr, UInt32(height))
        ihdr.append(contentsOf: [8, 2, 0, 0, 0])  // depth 8, RGB, deflate, adaptive filter, no interlace
        appendChunk(&out, type: "IHDR", data: ihdr[...])

        var offset = 0
        repeat {
            let end = min(compressedCount, offset + maxIDATChunk)
            appendChunk(&out, type: "IDAT", data: compressed[offset..<end])
            offset = end
        } while offset < compressedCount

        appendChunk(&out, type: "IEND", data: [][...])
        return out
    }

    /// `raw` as one zlib stream, with a window and hash table sized to it: `compress2` sets up zlib's
    /// full 256 KB state (and clears its hash table) for every call, which cost more than compressing the
    /// sandbox's small images. Same format; any inflater reads it.
    static func deflateSized(_ raw: [UInt8], level: Int32) -> [UInt8] {
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < raw.count { windowBits += 1 }
        let memLevel = max(1, min(8, windowBits - 6))
        var stream = z_stream()
        guard czlib_deflateInit2(&stream, level, windowBits, memLevel) == Z_OK else {
            // Out of memory for zlib's state: store the bytes uncompressed instead (level 0 needs no tables).
            return level == 0 ? [] : deflateSized(raw, level: 0)
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(raw.count))))
        var input = raw
        let produced: Int = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                // deflateBound leaves room for the whole stream: one call finishes it.
                _ = deflate(&stream, Z_FINISH)
                return dst.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Writes filter-type byte + filtered bytes for every row. The first row uses Sub; every
    /// other row uses the filter (None, Sub, Up, Average or Paeth) with the smallest sum of
    /// absolute signed residuals, estimated on every 5th byte to keep debug builds fast.
    static func filterRows(
        src: UnsafePointer<UInt8>, dst: UnsafeMutablePointer<UInt8>, stride: Int, height: Int
    ) {
        let bpp = 3
        for y in 0..<height {
            let cur = src + y * stride
            let out = dst + y * (stride + 1)
            let row = out + 1
            if y == 0 {
                out[0] = 1
                var i = 0
                while i < min(bpp, stride) {
                    row[i] = cur[i]
                    i += 1
                }
                while i < stride {
                    row[i] = cur[i] &- cur[i - bpp]
                    i += 1
                }
                continue
            }
            let prior = src + (y - 1) * stride
            // Estimate the cost of each filter on a sample of the row.
            var costNone = 0
            var costSub = 0
            var costUp = 0
            var costAvg = 0
            var costPaeth = 0
            var i = bpp
            while i < stride {
                let x = Int(cur[i])
                let a = Int(cur[i - bpp])
                let b = Int(prior[i])
                let c = Int(prior[i - bpp])
                costNone &+= signedMagnitude(x)
                costSub &+= signedMagnitude(x &- a)
                costUp &+= signedMagnitude(x &- b)
                costAvg &+= signedMagnitude(x &- ((a &+ b) >> 1))
                costPaeth &+= signedMagnitude(x &- paeth(a, b, c))
                i += 5
            }
            var best = 0
            var bestCost = costNone
            if costSub < bestCost { best = 1; bestCost = costSub }
            if costUp < bestCost { best = 2; bestCost = costUp }
            if costAvg < bestCost { best = 3; bestCost = costAvg }
            if costPaeth < bestCost { best = 4; bestCost = costPaeth }

            out[0] = UInt8(best)
            let head = min(bpp, stride)
            switch best {
            case 0:
                row.update(from: cur, count: stride)
            case 1:
                i = 0
                while i < head {
                    row[i] = cur[i]
                    i += 1
                }
                while i < stride {
                    row[i] = cur[i] &- cur[i - bpp]
                    i += 1
                }
            case 2:
                i = 0
                while i < stride {
                    row[i] = cur[i] &- prior[i]
                    i += 1
                }
            case 3:
                i = 0
                while i < head {
                    row[i] = cur[i] &- (prior[i] >> 1)
                    i += 1
                }
                while i < stride {
                    row[i] = cur[i] &- UInt8((Int(cur[i - bpp]) + Int(prior[i])) >> 1)
                    i += 1
                }
            default:
                i = 0
                while i < head {
                    row[i] = cur[i] &- prior[i]  // Paeth with a = c = 0 predicts b
                    i += 1
                }
                while i < stride {
                    // Paeth predictor, written inline because debug builds do not inline calls.
                    let a = Int(cur[i - bpp])
                    let b = Int(prior[i])
                    let c = Int(prior[i - bpp])
                    var pa = b - c
                    var pb = a - c
                    var pc = pa + pb
                    if pa < 0 { pa = -pa }
                    if pb < 0 { pb = -pb }
                    if pc < 0 { pc = -pc }
                    let predicted = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                    row[i] = cur[i] &- UInt8(truncatingIfNeeded: predicted)
                    i += 1
                }
            }
        }
    }

    /// |residual| where the residual byte is interpreted as a signed 8-bit value.
    @inline(__always)
    static func signedMagnitude(_ difference: Int) -> Int {
        let v = difference & 0xFF
        return v < 128 ? v : 256 - v
    }

    /// The PNG Paeth predictor of left `a`, above `b` and upper-left `c`.
    @inline(__always)
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        var pa = b - c
        var pb = a - c
        var pc = pa + pb
        if pa < 0 { pa = -pa }
        if pb < 0 { pb = -pb }
        if pc < 0 { pc = -pc }
        if pa <= pb && pa <= pc { return a }
        if pb <= pc { return b }
        return c
    }

    /// Appends `value` as 4 big-endian bytes.
    static func appendBE32(_ out: inout [UInt8], _ value: UInt32) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends one chunk (length, type, data, CRC-32 over type + data).
    static func appendChunk(_ out: inout [UInt8], type: String, data: ArraySlice<UInt8>) {
        appendBE32(&out, UInt32(data.count))
        let typeStart = out.count
        out.append(contentsOf: Array(type.utf8))
        out.append(contentsOf: data)
        let covered = out.count - typeStart
        let crc = out.withUnsafeBufferPointer { buf in
            crc32(0, buf.baseAddress! + typeStart, uInt(covered))
        }
        appendBE32(&out, UInt32(truncatingIfNeeded: crc))
    }
}
