// ImageSynth+Edits.swift
//
// Blend, face swap and inpaint (Vary Region).

import DiscordKit
import Foundation

extension ImageSynth {
    // MARK: - Blend

    /// Mixes 2-5 images (more are ignored; one is just resized) into a `width` x `height`
    /// picture using smooth, seed-dependent spatial weight fields, so each input dominates
    /// some regions while the transitions stay soft.
    static func blend(_ images: [RGBImage], seed: UInt64, width: Int, height: Int) -> RGBImage {
        guard width > 0, height > 0 else { return RGBImage(width: max(0, width), height: max(0, height)) }
        let inputs = Array(images.filter { $0.width > 0 && $0.height > 0 }.prefix(5))
        if inputs.isEmpty { return artwork(seed: seed, width: width, height: height) }
        if inputs.count == 1 { return resized(inputs[0], width: width, height: height) }
        let n = inputs.count
        let planeSize = width * height * 3
        var stack = [UInt8]()
        stack.reserveCapacity(planeSize * n)
        for input in inputs {
            stack.append(contentsOf: resized(input, width: width, height: height).pixels)
        }
        var rng = SynthRandom(seed: seed, salt: 0xB1E)
        // Weight field i: (1.3 + A(x) + B(y) + C(x) * D(y))^4 with sine tables.
        var fieldX = [Float]()
        var fieldY = [Float]()
        var fieldCX = [Float]()
        var fieldDY = [Float]()
        for _ in 0..<n {
            fieldX += sineTable(count: width, cycles: rng.range(0.3, 1.1), phase: rng.range(0, 6.283), scale: 0.5)
            fieldY += sineTable(count: height, cycles: rng.range(0.3, 1.1), phase: rng.range(0, 6.283), scale: 0.5)
            fieldCX += sineTable(count: width, cycles: rng.range(0.5, 1.5), phase: rng.range(0, 6.283), scale: 0.4)
            fieldDY += sineTable(count: height, cycles: rng.range(0.5, 1.5), phase: rng.range(0, 6.283), scale: 1)
        }
        var weights = [Float](repeating: 0, count: n)
        let pixels = [UInt8](unsafeUninitializedCapacity: planeSize) { buffer, count in
            stack.withUnsafeBufferPointer { stackBuf in
            fieldX.withUnsafeBufferPointer { fx in
            fieldCX.withUnsafeBufferPointer { fcx in
            weights.withUnsafeMutableBufferPointer { wts in
                let src = stackBuf.baseAddress!
                let out = buffer.baseAddress!
                for y in 0..<height {
                    for x in 0..<width {
                        var total: Float = 0
                        for i in 0..<n {
                            let v = 1.3 + fx[i * width + x] + fieldY[i * height + y] + fcx[i * width + x] * fieldDY[i * height + y]
                            let v2 = v * v
                            let wgt = v2 * v2 + 0.001
                            wts[i] = wgt
                            total += wgt
                        }
                        let inv = 1 / total
                        let p = (y * width + x) * 3
                        var r: Float = 0
                        var g: Float = 0
                        var b: Float = 0
                        for i in 0..<n {
                            let q = src + i * planeSize + p
                            let wgt = wts[i]
                            r += Float(q[0]) * wgt
                            g += Float(q[1]) * wgt
                            b += Float(q[2]) * wgt
                        }
                        out[p] = toByte(r * inv)
                        out[p + 1] = toByte(g * inv)
                        out[p + 2] = toByte(b * inv)
                    }
                }
            }}}}
            count = planeSize
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    // MARK: - Face swap

    /// The target with a soft-edged ellipse in its upper centre (centre at 50% / 38%, radii
    /// 20% / 24% of the size) replaced by the source's centre, resized and partially colour-matched.
    static func faceSwap(source: RGBImage, target: RGBImage) -> RGBImage {
        let width = target.width
        let height = target.height
        guard width > 0, height > 0, source.width > 0, source.height > 0 else { return target }
        let cx = Float(width) * 0.5
        let cy = Float(height) * 0.38
        let rx = max(1, Float(width) * 0.2)
        let ry = max(1, Float(height) * 0.24)
        let boxX = max(0, Int(cx - rx))
        let boxY = max(0, Int(cy - ry))
        let boxW = max(1, min(width - boxX, Int(2 * rx) + 1))
        let boxH = max(1, min(height - boxY, Int(2 * ry) + 1))

        // Central crop of the source with the ellipse's aspect ratio.
        let aspect = Double(boxW) / Double(boxH)
        var cropH = Double(source.height) * 0.7
        var cropW = cropH * aspect
        if cropW > Double(source.width) * 0.9 {
            cropW = Double(source.width) * 0.9
            cropH = cropW / aspect
        }
        let cwInt = max(1, Int(cropW))
        let chInt = max(1, Int(cropH))
        let crop = cropped(source, x: (source.width - cwInt) / 2, y: (source.height - chInt) / 2, width: cwInt, height: chInt)
        let patch = resized(crop, width: boxW, height: boxH)

        // Mean colours inside the ellipse, for a partial colour match.
        var targetSum: [Float] = [0, 0, 0]
        var patchSum: [Float] = [0, 0, 0]
        var samples: Float = 0
        for y in stride(from: 0, to: boxH, by: 4) {
            for x in stride(from: 0, to: boxW, by: 4) {
                let ex = (Float(boxX + x) + 0.5 - cx) / rx
                let ey = (Float(boxY + y) + 0.5 - cy) / ry
                if ex * ex + ey * ey >= 1 { continue }
                let ti = ((boxY + y) * width + boxX + x) * 3
                let pi = (y * boxW + x) * 3
                for c in 0..<3 {
                    targetSum[c] += Float(target.pixels[ti + c])
                    patchSum[c] += Float(patch.pixels[pi + c])
                }
                samples += 1
            }
        }
        var shift: [Float] = [0, 0, 0]
        if samples > 0 {
            for c in 0..<3 { shift[c] = 0.3 * (targetSum[c] - patchSum[c]) / samples }
        }
        let shiftR = shift[0]
        let shiftG = shift[1]
        let shiftB = shift[2]

        var pixels = target.pixels
        pixels.withUnsafeMutableBufferPointer { outBuf in
            patch.pixels.withUnsafeBufferPointer { patchBuf in
                let out = outBuf.baseAddress!
                let pp = patchBuf.baseAddress!
                for y in 0..<boxH {
                    let ey = (Float(boxY + y) + 0.5 - cy) / ry
                    let ey2 = ey * ey
                    for x in 0..<boxW {
                        let ex = (Float(boxX + x) + 0.5 - cx) / rx
                        let d2 = ex * ex + ey2
                        if d2 >= 1 { continue }
                        let d = d2.squareRoot()
                        let a = 1 - smoothstep(0.72, 1, d)
                        let o = out + ((boxY + y) * width + boxX + x) * 3
                        let p = pp + (y * boxW + x) * 3
                        o[0] = toByte(Float(o[0]) + (Float(p[0]) + shiftR - Float(o[0])) * a)
                        o[1] = toByte(Float(o[1]) + (Float(p[1]) + shiftG - Float(o[1])) * a)
                        o[2] = toByte(Float(o[2]) + (Float(p[2]) + shiftB - Float(o[2])) * a)
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    // MARK: - Inpaint

    /// Repaints the region where `mask` is white (luma > 127; the mask is resized to the image
    /// if needed) with new seed-generated content tinted by the image's own colours, blending
    /// softly inside the region's border; black areas are kept exactly. A nil mask repaints a
    /// central ellipse (radii 30% of the size, soft edge).
    static func inpaint(_ image: RGBImage, mask: RGBImage?, seed: UInt64) -> RGBImage {
        let width = image.width
        let height = image.height
        guard width > 0, height > 0 else { return image }
        let count = width * height
        var alpha = [Float](repeating: 0, count: count)
        if let mask, mask.width > 0, mask.height > 0 {
            let m = resized(mask, width: width, height: height)
            // Binary mask, then feathered inwards so only white pixels change.
            var binary = [UInt8](repeating: 0, count: count * 3)
            for i in 0..<count {
                let luma = (Int(m.pixels[i * 3]) * 77 + Int(m.pixels[i * 3 + 1]) * 150 + Int(m.pixels[i * 3 + 2]) * 29) >> 8
                if luma > 127 {
                    binary[i * 3] = 255
                    binary[i * 3 + 1] = 255
                    binary[i * 3 + 2] = 255
                }
            }
            let feather = blurred(RGBImage(width: width, height: height, pixels: binary), factor: 8)
            for i in 0..<count where binary[i * 3] == 255 {
                let f = Float(feather.pixels[i * 3]) / 255
                alpha[i] = max(0.05, min(1, (f - 0.5) * 2.5 + 0.05))
            }
        } else {
            let cx = Float(width) * 0.5
            let cy = Float(height) * 0.5
            let rx = max(1, Float(width) * 0.3)
            let ry = max(1, Float(height) * 0.3)
            for y in 0..<height {
                let ey = (Float(y) + 0.5 - cy) / ry
                for x in 0..<width {
                    let ex = (Float(x) + 0.5 - cx) / rx
                    let d2 = ex * ex + ey * ey
                    if d2 < 1 { alpha[y * width + x] = 1 - smoothstep(0.8, 1, d2.squareRoot()) }
                }
            }
        }

        let fresh = artwork(seed: seed, width: width, height: height)
        let context = blurred(image, factor: 32)
        var pixels = image.pixels
        pixels.withUnsafeMutableBufferPointer { outBuf in
            fresh.pixels.withUnsafeBufferPointer { freshBuf in
                context.pixels.withUnsafeBufferPointer { ctxBuf in
                    alpha.withUnsafeBufferPointer { alphaBuf in
                        let out = outBuf.baseAddress!
                        let fr = freshBuf.baseAddress!
                        let cx = ctxBuf.baseAddress!
                        let al = alphaBuf.baseAddress!
                        for i in 0..<count {
                            let a = al[i]
                            if a <= 0 { continue }
                            let j = i * 3
                            for c in 0..<3 {
                                let fill = 0.55 * Float(fr[j + c]) + 0.45 * Float(cx[j + c])
                                let old = Float(out[j + c])
                                out[j + c] = toByte(old + (fill - old) * a)
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
