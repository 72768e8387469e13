// ImageSynth.swift
//
// Deterministic procedural imaging for the sandbox's simulated Midjourney bot: landscape-like
// "artworks" generated from a seed, plus the raster operations behind the bot's actions
// (grids, upscales, variations, zoom-out, pan, blend, face swap, inpaint).
//
// Everything is a pure function of its inputs. Randomness comes from a SplitMix64 generator and
// trigonometry from a local polynomial (no libm), so a given input always yields the same bytes.
// Hot loops use unsafe pointers and Float / integer math so debug (-Onone) builds stay fast.

import DiscordKit
import Foundation

/// Procedural image generation and the raster operations behind the sandbox bot's actions.
enum ImageSynth {
    // MARK: - Artwork

    /// A deterministic procedural landscape (sky gradient, sun or moon, clouds, mountain
    /// ranges, land or water) whose palette, layout and shapes all derive from `seed`.
    static func artwork(seed: UInt64, width: Int, height: Int) -> RGBImage {
        guard width > 0, height > 0 else { return RGBImage(width: max(0, width), height: max(0, height)) }
        var rng = SynthRandom(seed: seed, salt: 0xA27)
        let w = Float(width)
        let h = Float(height)
        let s = min(w, h)

        // Palette: a theme, hue-rotated and slightly re-saturated.
        let theme = Palette.themes[rng.int(Palette.themes.count)]
        let matrix = colorMatrix(hue: rng.range(-0.45, 0.45), saturation: rng.range(0.85, 1.2))
        let pal = theme.transformed(matrix)

        // Layout.
        let horizon = h * rng.range(0.56, 0.70)
        let water = rng.unit() < 0.4
        let sunX = w * rng.range(0.16, 0.84)
        let sunY = horizon - h * rng.range(0.12, 0.40)
        let sunRadius = s * rng.range(0.045, 0.085)
        let glowStrength = rng.range(0.35, 0.6)
        let glowInv = 1 / (sunRadius * sunRadius * rng.range(3, 8))
        let discLimit = (sunRadius + 1) * (sunRadius + 1)

        // Sky / ground colour per row.
        let skyRows = UnsafeMutablePointer<Float>.allocate(capacity: height * 3)
        defer { skyRows.deallocate() }
        let ripple = UnsafeMutablePointer<Float>.allocate(capacity: height)
        defer { ripple.deallocate() }
        let rippleFreq = Double(rng.range(0.25, 0.5))
        for y in 0..<height {
            let fy = Float(y) + 0.5
            var c: Color3
            if fy < horizon {
                let t = fy / horizon
                c = pal.skyTop.mix(pal.skyHorizon, t * t.squareRoot())
            } else if water {
                let mirrored = max(0, horizon - (fy - horizon) * 1.4)
                let t = mirrored / horizon
                let skyColor = pal.skyTop.mix(pal.skyHorizon, t * t.squareRoot())
                let depth = (fy - horizon) / max(1, h - horizon)
                c = skyColor.mix(pal.groundBottom, 0.25 + 0.45 * depth).scaled(0.9)
            } else {
                let t = (fy - horizon) / max(1, h - horizon)
                c = pal.groundTop.mix(pal.skyHorizon, 0.35 * (1 - t) * (1 - t)).mix(pal.groundBottom, t * 0.8)
            }
            skyRows[y * 3] = c.r
            skyRows[y * 3 + 1] = c.g
            skyRows[y * 3 + 2] = c.b
            let wave = Float(dsin(Double(y) * rippleFreq * (1 + Double(fy - horizon) / Double(h))))
            ripple[y] = wave > 0 ? wave : 0
        }

        // Mountain ranges (farthest first), drawn above the horizon.
        let mountainCount = 1 + rng.int(2)
        let mountains = UnsafeMutablePointer<Float>.allocate(capacity: mountainCount * width)
        defer { mountains.deallocate() }
        let mountainRows = UnsafeMutablePointer<Float>.allocate(capacity: mountainCount * height * 3)
        defer { mountainRows.deallocate() }
        for l in 0..<mountainCount {
            let nearness: Float = mountainCount == 1 ? 0.6 : Float(l)
            let base = horizon - h * rng.range(0.0, 0.05)
            let amplitude = h * rng.range(0.14, 0.30) * (1 - 0.35 * nearness)
            fillRidge(mountains + l * width, count: width, rng: &rng, ridged: true)
            for x in 0..<width {
                let n = mountains[l * width + x]
                mountains[l * width + x] = base - amplitude * n * n
            }
            let baseColor = pal.far.mix(pal.near, nearness)
            let haze: Float = 0.4 * (1 - nearness)
            for y in 0..<height {
                let fy = Float(y) + 0.5
                let mist = smoothstep(horizon - amplitude, horizon, fy) * 0.55
                let c = baseColor.mix(pal.skyHorizon, haze + (1 - haze) * mist)
                let shade = 1 - 0.12 * (1 - mist)
                mountainRows[(l * height + y) * 3] = c.r * shade
                mountainRows[(l * height + y) * 3 + 1] = c.g * shade
                mountainRows[(l * height + y) * 3 + 2] = c.b * shade
            }
        }

        // Foreground hills on land.
        let hillCount = water ? 0 : 1 + rng.int(2)
        let hills = UnsafeMutablePointer<Float>.allocate(capacity: max(1, hillCount * width))
        defer { hills.deallocate() }
        let hillRows = UnsafeMutablePointer<Float>.allocate(capacity: max(1, hillCount * height * 3))
        defer { hillRows.deallocate() }
        for l in 0..<hillCount {
            let base = horizon + (h - horizon) * (0.25 + 0.3 * Float(l)) + h * rng.range(0.0, 0.05)
            let amplitude = h * rng.range(0.05, 0.12)
            fillRidge(hills + l * width, count: width, rng: &rng, ridged: false)
            for x in 0..<width {
                hills[l * width + x] = base - amplitude * hills[l * width + x]
            }
            let top = base - amplitude
            let lightness: Float = 1.08 - 0.22 * Float(l)
            for y in 0..<height {
                let t = max(0, min(1, (Float(y) + 0.5 - top) / max(1, h - top)))
                let c = pal.groundTop.mix(pal.groundBottom, t).scaled(lightness)
                hillRows[(l * height + y) * 3] = c.r
                hillRows[(l * height + y) * 3 + 1] = c.g
                hillRows[(l * height + y) * 3 + 2] = c.b
            }
        }

        // Clouds: groups of soft elliptical puffs.
        let cloudCount = rng.int(5)
        var puffs: [Float] = []  // cx, cy, rx, ry, alpha per puff
        for _ in 0..<cloudCount {
            let cx = w * rng.range(0.0, 1.0)
            let cy = horizon * rng.range(0.12, 0.7)
            let size = s * rng.range(0.06, 0.14)
            let alpha = rng.range(0.35, 0.8)
            let puffCount = 3 + rng.int(4)
            for p in 0..<puffCount {
                let offset = (Float(p) - Float(puffCount - 1) / 2) * size * rng.range(0.7, 1.1)
                let rx = size * rng.range(0.7, 1.3)
                puffs.append(contentsOf: [cx + offset, cy + size * rng.range(-0.25, 0.1), rx, rx * rng.range(0.3, 0.5), alpha])
            }
        }
        let puffTotal = puffs.count / 5
        let cloudAlpha = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { cloudAlpha.deallocate() }
        let cloudColor = pal.cloud

        // Vignette.
        let vigX = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { vigX.deallocate() }
        let vigY = UnsafeMutablePointer<Float>.allocate(capacity: height)
        defer { vigY.deallocate() }
        for x in 0..<width {
            let u = (Float(x) + 0.5) / w * 2 - 1
            vigX[x] = 1 - 0.08 * u * u
        }
        for y in 0..<height {
            let v = (Float(y) + 0.5) / h * 2 - 1
            vigY[y] = 1 - 0.1 * v * v
        }

        let sun = pal.sun
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            let out = buffer.baseAddress!
            for y in 0..<height {
                let fy = Float(y) + 0.5
                let aboveHorizon = fy < horizon
                // Cloud coverage for this row.
                var anyCloud = false
                if aboveHorizon && puffTotal > 0 {
                    for x in 0..<width { cloudAlpha[x] = 0 }
                    for p in 0..<puffTotal {
                        let cx = puffs[p * 5]
                        let cy = puffs[p * 5 + 1]
                        let rx = puffs[p * 5 + 2]
                        let ry = puffs[p * 5 + 3]
                        let dyn = (fy - cy) / ry
                        if dyn <= -1 || dyn >= 1 { continue }
                        anyCloud = true
                        let alpha = puffs[p * 5 + 4]
                        let x0 = max(0, Int(cx - rx))
                        let x1 = min(width - 1, Int(cx + rx) + 1)
                        if x0 > x1 { continue }
                        let invRx = 1 / rx
                        let dy2 = dyn * dyn
                        for x in x0...x1 {
                            let dxn = (Float(x) + 0.5 - cx) * invRx
                            let q = 1 - dxn * dxn - dy2
                            if q > 0 {
                                let a = alpha * q * (2 - q)
                                let old = cloudAlpha[x]
                                cloudAlpha[x] = old + a * (1 - old)
                            }
                        }
                    }
                }
                let rowBase = skyRows + y * 3
                let baseR = rowBase[0]
                let baseG = rowBase[1]
                let baseB = rowBase[2]
                let dy = fy - sunY
                let dy2 = dy * dy
                let vy = vigY[y]
                let depth = (fy - horizon) / max(1, h - horizon)
                let streakHalf = sunRadius * (0.8 + 3.0 * depth)
                let streakInv = 1 / streakHalf
                let rip = ripple[y] * 0.75
                var o = out + y * width * 3
                for x in 0..<width {
                    let fx = Float(x) + 0.5
                    var r = baseR
                    var g = baseG
                    var b = baseB
                    if aboveHorizon {
                        let dx = fx - sunX
                        let d2 = dx * dx + dy2
                        let glow = glowStrength / (1 + d2 * glowInv)
                        r += (sun.r - r) * glow
                        g += (sun.g - g) * glow
                        b += (sun.b - b) * glow
                        if d2 < discLimit {
                            let a = min(1, max(0, sunRadius - d2.squareRoot() + 0.5))
                            r += (sun.r - r) * a
                            g += (sun.g - g) * a
                            b += (sun.b - b) * a
                        }
                        if anyCloud {
                            let a = cloudAlpha[x]
                            if a > 0 {
                                r += (cloudColor.r - r) * a
                                g += (cloudColor.g - g) * a
                                b += (cloudColor.b - b) * a
                            }
                        }
                        for l in 0..<mountainCount {
                            let cover = fy - mountains[l * width + x] + 0.5
                            if cover > 0 {
                                let a = cover < 1 ? cover : 1
                                let m = mountainRows + (l * height + y) * 3
                                r += (m[0] - r) * a
                                g += (m[1] - g) * a
                                b += (m[2] - b) * a
                            }
                        }
                    } else {
                        if water {
                            var dx = fx - sunX
                            if dx < 0 { dx = -dx }
                            if dx < streakHalf {
                                let k = 1 - dx * streakInv
                                let a = k * k * rip
                                r += (sun.r - r) * a
                                g += (sun.g - g) * a
                                b += (sun.b - b) * a
                            }
                        }
                        for l in 0..<hillCount {
                            let cover = fy - hills[l * width + x] + 0.5
                            if cover > 0 {
                                let a = cover < 1 ? cover : 1
                                let m = hillRows + (l * height + y) * 3
                                r += (m[0] - r) * a
                                g += (m[1] - g) * a
                                b += (m[2] - b) * a
                            }
                        }
                    }
                    let v = vigX[x] * vy
                    o[0] = toByte(r * v)
                    o[1] = toByte(g * v)
                    o[2] = toByte(b * v)
                    o += 3
                }
            }
            count = width * height * 3
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Fills `out[0..<count]` with a smooth 1-D profile in 0...1 built from four sine octaves
    /// (`ridged` folds each octave for sharp mountain peaks).
    static func fillRidge(_ out: UnsafeMutablePointer<Float>, count: Int, rng: inout SynthRandom, ridged: Bool) {
        var freqs: [Double] = []
        var phases: [Double] = []
        var amps: [Double] = []
        var total = 0.0
        var base = Double(rng.range(0.8, 1.6))
        var amp = 1.0
        for _ in 0..<4 {
            freqs.append(base * 2 * Double.pi / Double(max(1, count)))
            phases.append(Double(rng.range(0, 6.283)))
            amps.append(amp)
            total += amp
            base *= Double(rng.range(1.8, 2.4))
            amp *= 0.5
        }
        for x in 0..<count {
            var v = 0.0
            for k in 0..<4 {
                let sv = dsin(Double(x) * freqs[k] + phases[k])
                v += amps[k] * (ridged ? 1 - abs(sv) : 0.5 + 0.5 * sv)
            }
            out[x] = Float(v / total)
        }
    }
}
