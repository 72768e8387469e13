// ImageSynth+Grid.swift
//
// The sandbox bot's grids, tiles and resampling (upscales).

import DiscordKit
import Foundation

extension ImageSynth {
    // MARK: - Grid and tiles

    /// A 2x2 grid of four equally sized tiles (1 top-left, 2 top-right, 3 bottom-left,
    /// 4 bottom-right). Tiles are resized to the first tile's size; missing tiles are grey.
    static func grid(_ tiles: [RGBImage]) -> RGBImage {
        guard let first = tiles.first, first.width > 0, first.height > 0 else {
            return RGBImage(width: 0, height: 0)
        }
        let tw = first.width
        let th = first.height
        var out = [UInt8](repeating: 128, count: tw * th * 12)
        let outStride = tw * 6
        for index in 0..<min(4, tiles.count) {
            let tile = resized(tiles[index], width: tw, height: th)
            let ox = (index % 2) * tw
            let oy = (index / 2) * th
            tile.pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<th {
                        (dst.baseAddress! + (oy + y) * outStride + ox * 3)
                            .update(from: src.baseAddress! + y * tw * 3, count: tw * 3)
                    }
                }
            }
        }
        return RGBImage(width: tw * 2, height: th * 2, pixels: out)
    }

    /// Quadrant `index` (1...4, clamped) of a 2x2 grid, each `grid.width / 2` x `grid.height / 2`.
    static func tile(of grid: RGBImage, index: Int) -> RGBImage {
        let i = max(1, min(4, index)) - 1
        let tw = grid.width / 2
        let th = grid.height / 2
        return cropped(grid, x: (i % 2) * tw, y: (i / 2) * th, width: tw, height: th)
    }

    /// The `width` x `height` sub-rectangle at (`x`, `y`), clamped to the image bounds.
    static func cropped(_ image: RGBImage, x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        let x0 = max(0, min(image.width, x))
        let y0 = max(0, min(image.height, y))
        let cw = max(0, min(width, image.width - x0))
        let ch = max(0, min(height, image.height - y0))
        guard cw > 0, ch > 0 else { return RGBImage(width: 0, height: 0) }
        let pixels = [UInt8](unsafeUninitializedCapacity: cw * ch * 3) { buffer, count in
            image.pixels.withUnsafeBufferPointer { src in
                for row in 0..<ch {
                    (buffer.baseAddress! + row * cw * 3)
                        .initialize(from: src.baseAddress! + ((y0 + row) * image.width + x0) * 3, count: cw * 3)
                }
            }
            count = cw * ch * 3
        }
        return RGBImage(width: cw, height: ch, pixels: pixels)
    }

    // MARK: - Resampling

    /// The image resampled to `width` x `height` with bilinear filtering (box-prefiltered by
    /// repeated halving first when shrinking by 2x or more, to avoid aliasing).
    static func resized(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        guard width > 0, height > 0 else { return RGBImage(width: max(0, width), height: max(0, height)) }
        guard image.width > 0, image.height > 0 else {
            return RGBImage(width: width, height: height, red: 128, green: 128, blue: 128)
        }
        if image.width == width && image.height == height { return image }
        var source = image
        while source.width >= 2 * width || source.height >= 2 * height {
            source = halved(source, horizontally: source.width >= 2 * width, vertically: source.height >= 2 * height)
        }
        if source.width == width && source.height == height { return source }
        return bilinear(source, width: width, height: height)
    }

    /// Averages pairs of columns and/or rows, halving the size in those directions.
    static func halved(_ image: RGBImage, horizontally: Bool, vertically: Bool) -> RGBImage {
        let sw = image.width
        let nw = horizontally ? sw / 2 : sw
        let nh = vertically ? image.height / 2 : image.height
        let xStep = horizontally ? 2 : 1
        let yStep = vertically ? 2 : 1
        let xOther = horizontally ? 3 : 0
        let rowOther = vertically ? sw * 3 : 0
        let pixels = [UInt8](unsafeUninitializedCapacity: nw * nh * 3) { buffer, count in
            image.pixels.withUnsafeBufferPointer { srcBuf in
                let src = srcBuf.baseAddress!
                var o = buffer.baseAddress!
                for y in 0..<nh {
                    let row = src + y * yStep * sw * 3
                    for x in 0..<nw {
                        let p = row + x * xStep * 3
                        for c in 0..<3 {
                            let sum = Int(p[c]) + Int(p[c + xOther]) + Int(p[c + rowOther]) + Int(p[c + rowOther + xOther])
                            o[c] = UInt8((sum + 2) >> 2)
                        }
                        o += 3
                    }
                }
            }
            count = nw * nh * 3
        }
        return RGBImage(width: nw, height: nh, pixels: pixels)
    }

    /// Plain bilinear resampling with pixel-centre alignment and 8-bit fixed-point weights.
    static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let sw = image.width
        let sh = image.height
        var x0s = [Int](repeating: 0, count: width)
        var x1s = [Int](repeating: 0, count: width)
        var wxs = [Int](repeating: 0, count: width)
        var y0s = [Int](repeating: 0, count: height)
        var y1s = [Int](repeating: 0, count: height)
        var wys = [Int](repeating: 0, count: height)
        for x in 0..<width {
            let (a, b, f) = sampleCoordinate(x, from: width, to: sw)
            x0s[x] = a * 3
            x1s[x] = b * 3
            wxs[x] = f
        }
        for y in 0..<height {
            let (a, b, f) = sampleCoordinate(y, from: height, to: sh)
            y0s[y] = a * sw * 3
            y1s[y] = b * sw * 3
            wys[y] = f
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            image.pixels.withUnsafeBufferPointer { srcBuf in
                x0s.withUnsafeBufferPointer { x0p in
                    x1s.withUnsafeBufferPointer { x1p in
                        wxs.withUnsafeBufferPointer { wxp in
                            let src = srcBuf.baseAddress!
                            var o = buffer.baseAddress!
                            for y in 0..<height {
                                let top = src + y0s[y]
                                let bottom = src + y1s[y]
                                let fy = wys[y]
                                let gy = 256 - fy
                                for x in 0..<width {
                                    let i0 = x0p[x]
                                    let i1 = x1p[x]
                                    let fx = wxp[x]
                                    let gx = 256 - fx
                                    for c in 0..<3 {
                                        let t = Int(top[i0 + c]) * gx + Int(top[i1 + c]) * fx
                                        let b = Int(bottom[i0 + c]) * gx + Int(bottom[i1 + c]) * fx
                                        o[c] = UInt8((t * gy + b * fy + 32768) >> 16)
                                    }
                                    o += 3
                                }
                            }
                        }
                    }
                }
            }
            count = width * height * 3
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Maps destination index `i` (of `from`) to two source indices (of `to`) and a 0...256 weight.
    static func sampleCoordinate(_ i: Int, from: Int, to: Int) -> (Int, Int, Int) {
        let position = (Double(i) + 0.5) * Double(to) / Double(from) - 0.5
        let clamped = max(0, min(Double(to - 1), position))
        let lower = Int(clamped)
        let upper = min(to - 1, lower + 1)
        let weight = Int(((clamped - Double(lower)) * 256).rounded())
        return (lower, upper, weight)
    }

    /// A strongly blurred copy: downsampled by `factor` (box) and bilinearly upsampled back.
    static func blurred(_ image: RGBImage, factor: Int) -> RGBImage {
        let small = resized(image, width: max(1, image.width / factor), height: max(1, image.height / factor))
        return resized(small, width: image.width, height: image.height)
    }
}
