// PNGCodec+Decode.swift
//
// PNG decoding (see PNGCodec.swift for the supported subset): chunks, zlib inflate, the five
// filter types, every colour type and bit depth, tRNS; alpha composited over white.

import CZlib
import Foundation

extension PNGCodec {
    // MARK: - Decoding

    /// Decodes a PNG file into 8-bit RGB, compositing any alpha over white.
    /// Supports non-interlaced colour types 0, 2, 3, 4 and 6 at every bit depth the
    /// specification allows (16-bit samples are reduced to their high byte).
    /// Returns nil for malformed, interlaced or otherwise unsupported files.
    static func decode(_ bytes: [UInt8]) -> RGBImage? {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { return nil }
        var header: Header?
        var palette: [UInt8] = []  // RGB triples
        var paletteAlpha: [UInt8] = []
        var transparentKey: [Int]?  // grey or R,G,B sample values for colour types 0 / 2
        var idat: [UInt8] = []
        var sawEnd = false

        var pos = 8
        while pos + 12 <= bytes.count {
            let length = Int(readBE32(bytes, pos))
            guard length <= bytes.count - pos - 12 else { return nil }
            let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
            let dataStart = pos + 8
            let dataEnd = dataStart + length
            let storedCRC = readBE32(bytes, dataEnd)
            let actualCRC = bytes.withUnsafeBufferPointer { buf in
                UInt32(truncatingIfNeeded: crc32(0, buf.baseAddress! + pos + 4, uInt(length + 4)))
            }
            guard storedCRC == actualCRC else { return nil }
            let type = String(decoding: typeBytes, as: UTF8.self)
            pos = dataEnd + 4

            switch type {
            case "IHDR":
                guard header == nil, length == 13 else { return nil }
                guard let parsed = Header(bytes: bytes, at: dataStart) else { return nil }
                header = parsed
            case "PLTE":
                guard length % 3 == 0, length > 0, length <= 768 else { return nil }
                palette = Array(bytes[dataStart..<dataEnd])
            case "tRNS":
                guard let h = header else { return nil }
                switch h.colorType {
                case 3:
                    paletteAlpha = Array(bytes[dataStart..<dataEnd])
                case 0:
                    guard length >= 2 else { return nil }
                    transparentKey = [Int(readBE16(bytes, dataStart))]
                case 2:
                    guard length >= 6 else { return nil }
                    transparentKey = [
                        Int(readBE16(bytes, dataStart)),
                        Int(readBE16(bytes, dataStart + 2)),
                        Int(readBE16(bytes, dataStart + 4)),
                    ]
                default:
                    break  // tRNS is not allowed with an alpha channel; ignore it.
                }
            case "IDAT":
                guard header != nil else { return nil }
                idat.append(contentsOf: bytes[dataStart..<dataEnd])
            case "IEND":
                sawEnd = true
            default:
                // Unknown critical chunks (upper-case first letter) make the file undecodable.
                if typeBytes[0] & 0x20 == 0 { return nil }
            }
            if sawEnd { break }
        }
        guard let h = header, !idat.isEmpty else { return nil }
        if h.colorType == 3 && palette.isEmpty { return nil }

        // Deflate cannot expand data by more than ~1032:1; reject headers that claim more.
        let expected = h.height * (h.rowBytes + 1)
        guard expected <= idat.count * 1040 + 1024 else { return nil }
        guard var data = inflate(idat, expected: expected) else { return nil }
        let ok = data.withUnsafeMutableBufferPointer { buf in
            unfilter(buf.baseAddress!, rowBytes: h.rowBytes, height: h.height, bpp: h.filterStride)
        }
        guard ok else { return nil }
        return convert(data, header: h, palette: palette, paletteAlpha: paletteAlpha, key: transparentKey)
    }

    /// The fields of an IHDR chunk plus derived layout values.
    struct Header {
        /// Image width in pixels.
        let width: Int
        /// Image height in pixels.
        let height: Int
        /// Bits per sample (1, 2, 4, 8 or 16).
        let bitDepth: Int
        /// PNG colour type (0, 2, 3, 4 or 6).
        let colorType: Int
        /// Samples per pixel.
        let channels: Int
        /// Bytes per unfiltered scanline (without the filter-type byte).
        let rowBytes: Int
        /// Byte distance to the "left" neighbour used by the filters.
        let filterStride: Int

        /// Parses and validates the 13 IHDR bytes at `offset`; nil if unsupported.
        init?(bytes: [UInt8], at offset: Int) {
            let w = Int(PNGCodec.readBE32(bytes, offset))
            let h = Int(PNGCodec.readBE32(bytes, offset + 4))
            let depth = Int(bytes[offset + 8])
            let color = Int(bytes[offset + 9])
            let compression = bytes[offset + 10]
            let filter = bytes[offset + 11]
            let interlace = bytes[offset + 12]
            guard w > 0, h > 0, w <= 1 << 16, h <= 1 << 16, w * h <= PNGCodec.maxDecodedPixels else { return nil }
            guard compression == 0, filter == 0, interlace == 0 else { return nil }
            let channels: Int
            switch (color, depth) {
            case (0, 1), (0, 2), (0, 4), (0, 8), (0, 16): channels = 1
            case (2, 8), (2, 16): channels = 3
            case (3, 1), (3, 2), (3, 4), (3, 8): channels = 1
            case (4, 8), (4, 16): channels = 2
            case (6, 8), (6, 16): channels = 4
            default: return nil
            }
            width = w
            height = h
            bitDepth = depth
            colorType = color
            self.channels = channels
            let bitsPerPixel = channels * depth
            rowBytes = (w * bitsPerPixel + 7) / 8
            filterStride = max(1, bitsPerPixel / 8)
        }
    }

    /// Reads a big-endian 32-bit value at `offset`.
    static func readBE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// Reads a big-endian 16-bit value at `offset`.
    static func readBE16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    /// Inflates a zlib stream that must produce exactly `expected` bytes; nil otherwise.
    static func inflate(_ compressed: [UInt8], expected: Int) -> [UInt8]? {
        var input = compressed
        var output = [UInt8](repeating: 0, count: expected)
        var stream = z_stream()
        guard czlib_inflateInit(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let status = CZlib.inflate(&stream, Z_FINISH)
                guard status == Z_STREAM_END || status == Z_BUF_ERROR || status == Z_OK else { return nil }
                return Int(stream.total_out)
            }
        }
        guard produced == expected else { return nil }
        return output
    }

    /// Reverses the per-row filters in place. Row `r` occupies `data[r * (rowBytes + 1)...]`,
    /// its first byte being the filter type. Returns false on an invalid filter type.
    static func unfilter(
        _ data: UnsafeMutablePointer<UInt8>, rowBytes: Int, height: Int, bpp: Int
    ) -> Bool {
        let rowStride = rowBytes + 1
        for y in 0..<height {
            let filter = data[y * rowStride]
            let cur = data + y * rowStride + 1
            let hasPrior = y > 0
            let prior = hasPrior ? data + (y - 1) * rowStride + 1 : cur
            var i = 0
            switch filter {
            case 0:
                break
            case 1:
                i = bpp
                while i < rowBytes {
                    cur[i] = cur[i] &+ cur[i - bpp]
                    i += 1
                }
            case 2:
                if hasPrior {
                    while i < rowBytes {
                        cur[i] = cur[i] &+ prior[i]
                        i += 1
                    }
                }
            case 3:
                while i < rowBytes {
                    let a = i >= bpp ? Int(cur[i - bpp]) : 0
                    let b = hasPrior ? Int(prior[i]) : 0
                    cur[i] = cur[i] &+ UInt8((a + b) >> 1)
                    i += 1
                }
            case 4:
                if !hasPrior {
                    // Without a prior row Paeth predicts the left neighbour, like Sub.
                    i = bpp
                    while i < rowBytes {
                        cur[i] = cur[i] &+ cur[i - bpp]
                        i += 1
                    }
                    break
                }
                while i < bpp && i < rowBytes {
                    cur[i] = cur[i] &+ prior[i]
                    i += 1
                }
                while i < rowBytes {
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
                    cur[i] = cur[i] &+ UInt8(truncatingIfNeeded: predicted)
                    i += 1
                }
            default:
                return false
            }
        }
        return true
    }

    /// Reads sample number `index` of a scanline at the given bit depth (raw value, not scaled).
    @inline(__always)
    static func sample(_ row: UnsafePointer<UInt8>, _ index: Int, depth: Int) -> Int {
        switch depth {
        case 8:
            return Int(row[index])
        case 16:
            return Int(row[2 * index]) << 8 | Int(row[2 * index + 1])
        default:
            let bit = index * depth
            let shift = 8 - depth - (bit & 7)
            return (Int(row[bit >> 3]) >> shift) & ((1 << depth) - 1)
        }
    }

    /// Composites `value` with coverage `alpha` (0...255) over white.
    @inline(__always)
    static func overWhite(_ value: Int, _ alpha: Int) -> UInt8 {
        UInt8((value * alpha + 255 * (255 - alpha) + 127) / 255)
    }

    /// Converts unfiltered scanlines to an 8-bit RGB raster.
    static func convert(
        _ data: [UInt8], header h: Header, palette: [UInt8], paletteAlpha: [UInt8], key: [Int]?
    ) -> RGBImage {
        let width = h.width
        let height = h.height
        let depth = h.bitDepth
        let maxValue = (1 << depth) - 1
        let rowStride = h.rowBytes + 1
        // Palette lookup tables with alpha already composited (entries past the palette are black).
        var lut = [UInt8](repeating: 0, count: 256 * 3)
        if h.colorType == 3 {
            for entry in 0..<(palette.count / 3) {
                let alpha = entry < paletteAlpha.count ? Int(paletteAlpha[entry]) : 255
                for c in 0..<3 {
                    lut[entry * 3 + c] = overWhite(Int(palette[entry * 3 + c]), alpha)
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        data.withUnsafeBufferPointer { inBuf in
            pixels.withUnsafeMutableBufferPointer { outBuf in
                lut.withUnsafeBufferPointer { lutBuf in
                    let src = inBuf.baseAddress!
                    let dst = outBuf.baseAddress!
                    let table = lutBuf.baseAddress!
                    for y in 0..<height {
                        let row = src + y * rowStride + 1
                        let out = dst + y * width * 3
                        switch h.colorType {
                        case 2 where depth == 8 && key == nil:
                            out.update(from: row, count: width * 3)
                        case 6 where depth == 8:
                            var x = 0
                            while x < width {
                                let alpha = Int(row[x * 4 + 3])
                                out[x * 3] = overWhite(Int(row[x * 4]), alpha)
                                out[x * 3 + 1] = overWhite(Int(row[x * 4 + 1]), alpha)
                                out[x * 3 + 2] = overWhite(Int(row[x * 4 + 2]), alpha)
                                x += 1
                            }
                        case 3:
                            var x = 0
                            while x < width {
                                let index = sample(row, x, depth: depth)
                                out[x * 3] = table[index * 3]
                                out[x * 3 + 1] = table[index * 3 + 1]
                                out[x * 3 + 2] = table[index * 3 + 2]
                                x += 1
                            }
                        default:
                            var x = 0
                            let channels = h.channels
                            while x < width {
                                var r = 0
                                var g = 0
                                var b = 0
                                var alpha = 255
                                let base = x * channels
                                switch h.colorType {
                                case 0, 4:
                                    let raw = sample(row, base, depth: depth)
                                    let v = to8(raw, depth: depth, maxValue: maxValue)
                                    r = v
                                    g = v
                                    b = v
                                    if h.colorType == 4 {
                                        alpha = to8(sample(row, base + 1, depth: depth), depth: depth, maxValue: maxValue)
                                    } else if let key, key[0] == raw {
                                        alpha = 0
                                    }
                                default:  // 2 and 6 (16-bit or with a colour key)
                                    let rr = sample(row, base, depth: depth)
                                    let gg = sample(row, base + 1, depth: depth)
                                    let bb = sample(row, base + 2, depth: depth)
                                    r = to8(rr, depth: depth, maxValue: maxValue)
                                    g = to8(gg, depth: depth, maxValue: maxValue)
                                    b = to8(bb, depth: depth, maxValue: maxValue)
                                    if h.colorType == 6 {
                                        alpha = to8(sample(row, base + 3, depth: depth), depth: depth, maxValue: maxValue)
                                    } else if let key, key[0] == rr, key[1] == gg, key[2] == bb {
                                        alpha = 0
                                    }
                                }
                                out[x * 3] = overWhite(r, alpha)
                                out[x * 3 + 1] = overWhite(g, alpha)
                                out[x * 3 + 2] = overWhite(b, alpha)
                                x += 1
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Scales a raw sample of the given depth to 0...255.
    @inline(__always)
    static func to8(_ value: Int, depth: Int, maxValue: Int) -> Int {
        switch depth {
        case 8: return value
        case 16: return value >> 8
        default: return value * 255 / maxValue
        }
    }
}
