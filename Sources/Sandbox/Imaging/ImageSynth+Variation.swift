// ImageSynth+Variation.swift
//
// Variations of a tile (strong and subtle), as the bot's V1-V4 and Vary buttons make them.

import DiscordKit
import Foundation

extension ImageSynth {
    // MARK: - Variation

    /// A variation that visibly resembles `image`: a smooth geometric warp, a hue / saturation /
    /// contrast shift, spatially varying brightness and a few soft colour blobs. `strength`
    /// (0...1) scales everything: about 0.25 is subtle, 0.6 strong. Same size as the input.
    static func variation(of image: RGBImage, seed: UInt64, strength: Double) -> RGBImage {
        let width = image.width
        let height = image.height
        guard width > 0, height > 0 else { return image }
        let s = Float(max(0, min(1, strength)))
        var rng = SynthRandom(seed: seed, salt: 0x7A5)
        let w = Float(width)
        let h = Float(height)
        let amplitude = s * 0.05 * min(w, h)

        // Warp: dx = A(y) + B(x) * C(y), dy = D(x) + E(y) * F(x).
        let warpA = sineTable(count: height, cycles: rng.range(0.5, 1.8), phase: rng.range(0, 6.283), scale: amplitude)
        let warpB = sineTable(count: width, cycles: rng.range(0.8, 2.2), phase: rng.range(0, 6.283), scale: 1)
        let warpC = sineTable(count: height, cycles: rng.range(0.5, 1.5), phase: rng.range(0, 6.283), scale: amplitude * 0.6)
        let warpD = sineTable(count: width, cycles: rng.range(0.5, 1.8), phase: rng.range(0, 6.283), scale: amplitude)
        let warpE = sineTable(count: height, cycles: rng.range(0.8, 2.2), phase: rng.range(0, 6.283), scale: 1)
        let warpF = sineTable(count: width, cycles: rng.range(0.5, 1.5), phase: rng.range(0, 6.283), scale: amplitude * 0.6)
        // Brightness field: 1 + G(x) * H(y).
        let gainX = sineTable(count: width, cycles: rng.range(0.4, 1.2), phase: rng.range(0, 6.283), scale: s * 0.28)
        let gainY = sineTable(count: height, cycles: rng.range(0.4, 1.2), phase: rng.range(0, 6.283), scale: 1)

        let hue = rng.sign() * s * rng.range(0.35, 1.1)
        let m = colorMatrix(hue: hue, saturation: 1 + s * rng.range(-0.35, 0.5))
        let contrast = 1 + s * rng.range(-0.15, 0.25)
        let m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8]
        let maxX = w - 1.001
        let maxY = h - 1.001

        var pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            image.pixels.withUnsafeBufferPointer { srcBuf in
                warpA.withUnsafeBufferPointer { pa in
                warpB.withUnsafeBufferPointer { pb in
                warpC.withUnsafeBufferPointer { pc in
                warpD.withUnsafeBufferPointer { pd in
                warpE.withUnsafeBufferPointer { pe in
                warpF.withUnsafeBufferPointer { pf in
                gainX.withUnsafeBufferPointer { gx in
                gainY.withUnsafeBufferPointer { gy in
                    let src = srcBuf.baseAddress!
                    var o = buffer.baseAddress!
                    for y in 0..<height {
                        let fy = Float(y)
                        let a = pa[y]
                        let cRow = pc[y]
                        let eRow = pe[y]
                        let gRow = gy[y]
                        for x in 0..<width {
                            var sx = Float(x) + a + pb[x] * cRow
                            var sy = fy + pd[x] + eRow * pf[x]
                            sx = sx < 0 ? 0 : (sx > maxX ? maxX : sx)
                            sy = sy < 0 ? 0 : (sy > maxY ? maxY : sy)
                            let ix = Int(sx)
                            let iy = Int(sy)
                            let fx = sx - Float(ix)
                            let fyw = sy - Float(iy)
                            let p00 = src + (iy * width + ix) * 3
                            let p10 = p00 + 3
                            let p01 = p00 + width * 3
                            let p11 = p01 + 3
                            let w00 = (1 - fx) * (1 - fyw)
                            let w10 = fx * (1 - fyw)
                            let w01 = (1 - fx) * fyw
                            let w11 = fx * fyw
                            let r = Float(p00[0]) * w00 + Float(p10[0]) * w10 + Float(p01[0]) * w01 + Float(p11[0]) * w11
                            let g = Float(p00[1]) * w00 + Float(p10[1]) * w10 + Float(p01[1]) * w01 + Float(p11[1]) * w11
                            let b = Float(p00[2]) * w00 + Float(p10[2]) * w10 + Float(p01[2]) * w01 + Float(p11[2]) * w11
                            let gain = (1 + gx[x] * gRow) * contrast
                            let offset = 128 * (1 - contrast)
                            o[0] = toByte((m0 * r + m1 * g + m2 * b) * gain + offset)
                            o[1] = toByte((m3 * r + m4 * g + m5 * b) * gain + offset)
                            o[2] = toByte((m6 * r + m7 * g + m8 * b) * gain + offset)
                            o += 3
                        }
                    }
                }}}}}}}}
            }
            count = width * height * 3
        }

        // A few soft blobs coloured from elsewhere in the image.
        let blobCount = Int(2 + s * 6)
        let minSide = min(w, h)
        for _ in 0..<blobCount {
            let cx = rng.range(0, w)
            let cy = rng.range(0, h)
            let radius = minSide * rng.range(0.04, 0.11) * (0.6 + s)
            let sourceIndex = (rng.int(height) * width + rng.int(width)) * 3
            let lift = rng.range(0.8, 1.25)
            let color = Color3(
                r: Float(image.pixels[sourceIndex]) * lift,
                g: Float(image.pixels[sourceIndex + 1]) * lift,
                b: Float(image.pixels[sourceIndex + 2]) * lift)
            paintBlob(&pixels, width: width, height: height, cx: cx, cy: cy, rx: radius, ry: radius * rng.range(0.6, 1.4),
                      color: color, opacity: s * rng.range(0.5, 0.9))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Blends a soft elliptical blob of `color` into `pixels` (falloff (1 - d²)², peak `opacity`).
    static func paintBlob(
        _ pixels: inout [UInt8], width: Int, height: Int, cx: Float, cy: Float, rx: Float, ry: Float,
        color: Color3, opacity: Float
    ) {
        let x0 = max(0, Int(cx - rx))
        let x1 = min(width - 1, Int(cx + rx) + 1)
        let y0 = max(0, Int(cy - ry))
        let y1 = min(height - 1, Int(cy + ry) + 1)
        guard x0 <= x1, y0 <= y1, rx > 0, ry > 0 else { return }
        let invRx = 1 / rx
        let invRy = 1 / ry
        pixels.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for y in y0...y1 {
                let dy = (Float(y) + 0.5 - cy) * invRy
                let dy2 = dy * dy
                if dy2 >= 1 { continue }
                var p = base + (y * width + x0) * 3
                for x in x0...x1 {
                    let dx = (Float(x) + 0.5 - cx) * invRx
                    let q = 1 - dx * dx - dy2
                    if q > 0 {
                        let a = opacity * q * q
                        p[0] = toByte(Float(p[0]) + (color.r - Float(p[0])) * a)
                        p[1] = toByte(Float(p[1]) + (color.g - Float(p[1])) * a)
                        p[2] = toByte(Float(p[2]) + (color.b - Float(p[2])) * a)
                    }
                    p += 3
                }
            }
        }
    }
}
