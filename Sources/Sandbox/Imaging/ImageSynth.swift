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

/// Direction in which `ImageSynth.pan` extends the canvas.
enum PanDirection: String, Sendable {
    /// Extend to the left (canvas 1.5x wider, source kept on the right).
    case left
    /// Extend to the right (canvas 1.5x wider, source kept on the left).
    case right
    /// Extend upwards (canvas 1.5x taller, source kept at the bottom).
    case up
    /// Extend downwards (canvas 1.5x taller, source kept at the top).
    case down
}

/// A stable 64-bit FNV-1a hash of the UTF-8 bytes of `text`, used to seed the generators.
func stableSeed(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}

/// The image synthesiser's randomness: SplitMix64 seeded per purpose, with float helpers.
private struct SynthRandom {
    private var base: SplitMix64

    /// Creates a generator from `seed` mixed with a per-purpose `salt`.
    init(seed: UInt64, salt: UInt64) {
        base = SplitMix64(seed: seed ^ (salt &* 0x9E37_79B9_7F4A_7C15))
        _ = next()
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 { base.next() }

    /// A uniform Float in [0, 1).
    mutating func unit() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }

    /// A uniform Float in [lo, hi).
    mutating func range(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * unit()
    }

    /// A uniform integer in 0..<n (n > 0).
    mutating func int(_ n: Int) -> Int {
        Int(next() % UInt64(n))
    }

    /// +1 or -1 with equal probability.
    mutating func sign() -> Float {
        next() & 1 == 0 ? 1 : -1
    }
}

/// A linear RGB colour with components in 0...255 (used only outside hot loops).
private struct Color3 {
    /// Red component.
    var r: Float
    /// Green component.
    var g: Float
    /// Blue component.
    var b: Float

    /// Creates a colour from 0...1 components.
    init(_ r: Float, _ g: Float, _ b: Float) {
        self.r = r * 255
        self.g = g * 255
        self.b = b * 255
    }

    /// Creates a colour from 0...255 components.
    init(r: Float, g: Float, b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Linear interpolation towards `other` by `t`.
    func mix(_ other: Color3, _ t: Float) -> Color3 {
        Color3(r: r + (other.r - r) * t, g: g + (other.g - g) * t, b: b + (other.b - b) * t)
    }

    /// The colour multiplied by `k`.
    func scaled(_ k: Float) -> Color3 {
        Color3(r: r * k, g: g * k, b: b * k)
    }

    /// The colour transformed by a row-major 3x3 matrix.
    func transformed(_ m: [Float]) -> Color3 {
        Color3(
            r: m[0] * r + m[1] * g + m[2] * b,
            g: m[3] * r + m[4] * g + m[5] * b,
            b: m[6] * r + m[7] * g + m[8] * b)
    }
}

/// The colour scheme of one generated artwork.
private struct Palette {
    /// Zenith sky colour.
    var skyTop: Color3
    /// Sky colour at the horizon (also the haze colour).
    var skyHorizon: Color3
    /// Sun or moon colour.
    var sun: Color3
    /// Farthest mountain colour.
    var far: Color3
    /// Nearest mountain colour.
    var near: Color3
    /// Ground colour just below the horizon.
    var groundTop: Color3
    /// Ground colour at the bottom edge.
    var groundBottom: Color3
    /// Cloud colour.
    var cloud: Color3

    /// The colour schemes artworks choose from.
    static let themes: [Palette] = [
        // sunset
        Palette(skyTop: Color3(0.16, 0.12, 0.35), skyHorizon: Color3(0.98, 0.56, 0.32), sun: Color3(1.0, 0.86, 0.58),
                far: Color3(0.48, 0.27, 0.42), near: Color3(0.24, 0.13, 0.27), groundTop: Color3(0.26, 0.13, 0.22),
                groundBottom: Color3(0.08, 0.04, 0.08), cloud: Color3(0.98, 0.66, 0.60)),
        // clear day
        Palette(skyTop: Color3(0.18, 0.42, 0.85), skyHorizon: Color3(0.72, 0.86, 0.98), sun: Color3(1.0, 0.98, 0.86),
                far: Color3(0.46, 0.58, 0.74), near: Color3(0.26, 0.44, 0.34), groundTop: Color3(0.40, 0.64, 0.28),
                groundBottom: Color3(0.16, 0.36, 0.12), cloud: Color3(0.98, 0.98, 1.0)),
        // night
        Palette(skyTop: Color3(0.02, 0.03, 0.10), skyHorizon: Color3(0.14, 0.20, 0.42), sun: Color3(0.93, 0.94, 0.99),
                far: Color3(0.13, 0.17, 0.32), near: Color3(0.05, 0.07, 0.16), groundTop: Color3(0.08, 0.10, 0.20),
                groundBottom: Color3(0.02, 0.02, 0.06), cloud: Color3(0.30, 0.34, 0.50)),
        // desert
        Palette(skyTop: Color3(0.30, 0.56, 0.90), skyHorizon: Color3(0.96, 0.86, 0.70), sun: Color3(1.0, 0.96, 0.82),
                far: Color3(0.82, 0.58, 0.44), near: Color3(0.72, 0.42, 0.26), groundTop: Color3(0.94, 0.76, 0.52),
                groundBottom: Color3(0.74, 0.48, 0.28), cloud: Color3(1.0, 0.96, 0.90)),
        // pastel dawn
        Palette(skyTop: Color3(0.52, 0.62, 0.90), skyHorizon: Color3(1.0, 0.80, 0.76), sun: Color3(1.0, 0.96, 0.90),
                far: Color3(0.66, 0.60, 0.80), near: Color3(0.44, 0.40, 0.62), groundTop: Color3(0.58, 0.56, 0.72),
                groundBottom: Color3(0.28, 0.28, 0.44), cloud: Color3(1.0, 0.90, 0.92)),
        // alien teal
        Palette(skyTop: Color3(0.04, 0.22, 0.28), skyHorizon: Color3(0.56, 0.95, 0.76), sun: Color3(0.96, 1.0, 0.72),
                far: Color3(0.20, 0.50, 0.50), near: Color3(0.08, 0.30, 0.32), groundTop: Color3(0.12, 0.38, 0.32),
                groundBottom: Color3(0.03, 0.14, 0.14), cloud: Color3(0.80, 1.0, 0.90)),
        // autumn
        Palette(skyTop: Color3(0.28, 0.44, 0.70), skyHorizon: Color3(0.96, 0.80, 0.56), sun: Color3(1.0, 0.90, 0.62),
                far: Color3(0.60, 0.46, 0.38), near: Color3(0.62, 0.30, 0.12), groundTop: Color3(0.78, 0.48, 0.16),
                groundBottom: Color3(0.38, 0.18, 0.07), cloud: Color3(1.0, 0.94, 0.84)),
        // arctic
        Palette(skyTop: Color3(0.40, 0.62, 0.86), skyHorizon: Color3(0.88, 0.94, 1.0), sun: Color3(1.0, 1.0, 0.94),
                far: Color3(0.70, 0.78, 0.90), near: Color3(0.52, 0.62, 0.78), groundTop: Color3(0.94, 0.97, 1.0),
                groundBottom: Color3(0.70, 0.78, 0.88), cloud: Color3(1.0, 1.0, 1.0)),
        // crimson
        Palette(skyTop: Color3(0.24, 0.02, 0.08), skyHorizon: Color3(0.96, 0.38, 0.22), sun: Color3(1.0, 0.82, 0.42),
                far: Color3(0.52, 0.12, 0.16), near: Color3(0.26, 0.04, 0.08), groundTop: Color3(0.36, 0.08, 0.10),
                groundBottom: Color3(0.10, 0.01, 0.03), cloud: Color3(0.90, 0.40, 0.36)),
        // synthwave
        Palette(skyTop: Color3(0.10, 0.02, 0.26), skyHorizon: Color3(0.96, 0.32, 0.60), sun: Color3(1.0, 0.86, 0.32),
                far: Color3(0.36, 0.12, 0.48), near: Color3(0.16, 0.05, 0.26), groundTop: Color3(0.20, 0.06, 0.30),
                groundBottom: Color3(0.04, 0.0, 0.10), cloud: Color3(0.80, 0.40, 0.80)),
    ]

    /// The palette with every colour transformed by `m`.
    func transformed(_ m: [Float]) -> Palette {
        Palette(skyTop: skyTop.transformed(m), skyHorizon: skyHorizon.transformed(m), sun: sun.transformed(m),
                far: far.transformed(m), near: near.transformed(m), groundTop: groundTop.transformed(m),
                groundBottom: groundBottom.transformed(m), cloud: cloud.transformed(m))
    }
}

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
    private static func fillRidge(_ out: UnsafeMutablePointer<Float>, count: Int, rng: inout SynthRandom, ridged: Bool) {
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
    private static func cropped(_ image: RGBImage, x: Int, y: Int, width: Int, height: Int) -> RGBImage {
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
    private static func halved(_ image: RGBImage, horizontally: Bool, vertically: Bool) -> RGBImage {
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
    private static func bilinear(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
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
    private static func sampleCoordinate(_ i: Int, from: Int, to: Int) -> (Int, Int, Int) {
        let position = (Double(i) + 0.5) * Double(to) / Double(from) - 0.5
        let clamped = max(0, min(Double(to - 1), position))
        let lower = Int(clamped)
        let upper = min(to - 1, lower + 1)
        let weight = Int(((clamped - Double(lower)) * 256).rounded())
        return (lower, upper, weight)
    }

    /// A strongly blurred copy: downsampled by `factor` (box) and bilinearly upsampled back.
    private static func blurred(_ image: RGBImage, factor: Int) -> RGBImage {
        let small = resized(image, width: max(1, image.width / factor), height: max(1, image.height / factor))
        return resized(small, width: image.width, height: image.height)
    }

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
    private static func paintBlob(
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

    // MARK: - Outpainting (zoom out, pan)

    /// Zooms out: the output is `width` x `height`; the source, scaled to fit a box `factor`
    /// times smaller than the canvas (aspect ratio preserved), sits in the centre and the
    /// surroundings are generated by continuing its edges. `factor` below 1 is treated as 1.
    static func zoomOut(_ image: RGBImage, factor: Double, seed: UInt64, width: Int, height: Int) -> RGBImage {
        guard width > 0, height > 0 else { return RGBImage(width: max(0, width), height: max(0, height)) }
        guard image.width > 0, image.height > 0 else { return artwork(seed: seed, width: width, height: height) }
        let f = factor.isFinite ? max(1, factor) : 1
        let boxW = Double(width) / f
        let boxH = Double(height) / f
        let scale = min(boxW / Double(image.width), boxH / Double(image.height))
        let innerW = max(1, min(width, Int((Double(image.width) * scale).rounded())))
        let innerH = max(1, min(height, Int((Double(image.height) * scale).rounded())))
        let inner = resized(image, width: innerW, height: innerH)
        return outpaint(inner, canvasWidth: width, canvasHeight: height,
                        originX: (width - innerW) / 2, originY: (height - innerH) / 2, seed: seed)
    }

    /// Pans: the canvas grows by half the source size on `direction`'s side (left/right widen,
    /// up/down heighten: W x H becomes W + W/2 x H or W x H + H/2); the source is kept unchanged on
    /// the opposite side and the new area is generated by continuing the edge.
    static func pan(_ image: RGBImage, direction: PanDirection, seed: UInt64) -> RGBImage {
        let width = image.width
        let height = image.height
        guard width > 0, height > 0 else { return image }
        switch direction {
        case .left:
            let extra = max(1, width / 2)
            return outpaint(image, canvasWidth: width + extra, canvasHeight: height, originX: extra, originY: 0, seed: seed)
        case .right:
            let extra = max(1, width / 2)
            return outpaint(image, canvasWidth: width + extra, canvasHeight: height, originX: 0, originY: 0, seed: seed)
        case .up:
            let extra = max(1, height / 2)
            return outpaint(image, canvasWidth: width, canvasHeight: height + extra, originX: 0, originY: extra, seed: seed)
        case .down:
            let extra = max(1, height / 2)
            return outpaint(image, canvasWidth: width, canvasHeight: height + extra, originX: 0, originY: 0, seed: seed)
        }
    }

    /// Places `source` at (`originX`, `originY`) on a larger canvas and fills the rest with its
    /// mirrored continuation, increasingly blurred, tinted and decorated with soft shapes the
    /// farther a pixel is from the source, so the seam is continuous.
    private static func outpaint(
        _ source: RGBImage, canvasWidth cw: Int, canvasHeight ch: Int, originX ox: Int, originY oy: Int, seed: UInt64
    ) -> RGBImage {
        let sw = source.width
        let sh = source.height
        var rng = SynthRandom(seed: seed, salt: 0x0D7)

        // Mirror-extended canvas.
        var mapX = [Int](repeating: 0, count: cw)
        var distX = [Float](repeating: 0, count: cw)
        var mapY = [Int](repeating: 0, count: ch)
        var distY = [Float](repeating: 0, count: ch)
        for x in 0..<cw {
            mapX[x] = continuation(x, origin: ox, size: sw) * 3
            distX[x] = x < ox ? Float(ox - x) : (x >= ox + sw ? Float(x - ox - sw + 1) : 0)
        }
        for y in 0..<ch {
            mapY[y] = continuation(y, origin: oy, size: sh) * sw * 3
            distY[y] = y < oy ? Float(oy - y) : (y >= oy + sh ? Float(y - oy - sh + 1) : 0)
        }
        let mirrorPixels = [UInt8](unsafeUninitializedCapacity: cw * ch * 3) { buffer, count in
            source.pixels.withUnsafeBufferPointer { srcBuf in
                mapX.withUnsafeBufferPointer { mx in
                    let src = srcBuf.baseAddress!
                    var o = buffer.baseAddress!
                    for y in 0..<ch {
                        let row = src + mapY[y]
                        for x in 0..<cw {
                            let p = row + mx[x]
                            o[0] = p[0]
                            o[1] = p[1]
                            o[2] = p[2]
                            o += 3
                        }
                    }
                }
            }
            count = cw * ch * 3
        }
        let mirror = RGBImage(width: cw, height: ch, pixels: mirrorPixels)
        let soft = blurred(mirror, factor: 24)

        // Low-frequency tint field, growing with the distance from the source.
        let modX = sineTable(count: cw, cycles: rng.range(0.6, 1.6), phase: rng.range(0, 6.283), scale: 1)
        let modY = sineTable(count: ch, cycles: rng.range(0.6, 1.6), phase: rng.range(0, 6.283), scale: 1)
        let tintR = rng.range(-40, 40)
        let tintG = rng.range(-40, 40)
        let tintB = rng.range(-40, 40)
        let fade = max(8, Float(max(sw, sh)) * 0.3)
        let invFade = 1 / fade

        var pixels = [UInt8](unsafeUninitializedCapacity: cw * ch * 3) { buffer, count in
            mirror.pixels.withUnsafeBufferPointer { mBuf in
            soft.pixels.withUnsafeBufferPointer { sBuf in
            distX.withUnsafeBufferPointer { dxp in
            modX.withUnsafeBufferPointer { mxp in
                let sharpBase = mBuf.baseAddress!
                let softBase = sBuf.baseAddress!
                let out = buffer.baseAddress!
                for y in 0..<ch {
                    let dy = distY[y]
                    let dy2 = dy * dy
                    let my = modY[y]
                    let rowOffset = y * cw * 3
                    for x in 0..<cw {
                        let i = rowOffset + x * 3
                        let dx = dxp[x]
                        if dx == 0 && dy == 0 {
                            out[i] = sharpBase[i]
                            out[i + 1] = sharpBase[i + 1]
                            out[i + 2] = sharpBase[i + 2]
                            continue
                        }
                        let u = min(1, (dx * dx + dy2).squareRoot() * invFade)
                        let t = u * u * (3 - 2 * u)
                        let k = t * mxp[x] * my
                        for c in 0..<3 {
                            let sharp = Float(sharpBase[i + c])
                            let blur = Float(softBase[i + c])
                            let tint: Float = c == 0 ? tintR : (c == 1 ? tintG : tintB)
                            out[i + c] = toByte(sharp + (blur - sharp) * t + tint * k)
                        }
                    }
                }
            }}}}
            count = cw * ch * 3
        }

        // Soft shapes in the generated area, coloured like their surroundings.
        let blobCount = 3 + rng.int(5)
        let minSide = Float(min(cw, ch))
        for _ in 0..<blobCount {
            var bx = 0
            var by = 0
            var found = false
            for _ in 0..<12 {
                bx = rng.int(cw)
                by = rng.int(ch)
                if distX[bx] > 0 || distY[by] > 0 {
                    found = true
                    break
                }
            }
            if !found { continue }
            let d = (distX[bx] * distX[bx] + distY[by] * distY[by]).squareRoot()
            let radius = min(d * 0.9, minSide * rng.range(0.04, 0.1))
            if radius < 2 { continue }
            let index = (by * cw + bx) * 3
            let lift = rng.range(0.9, 1.2)
            let color = Color3(r: Float(soft.pixels[index]) * lift, g: Float(soft.pixels[index + 1]) * lift,
                               b: Float(soft.pixels[index + 2]) * lift)
            paintBlob(&pixels, width: cw, height: ch, cx: Float(bx), cy: Float(by), rx: radius,
                      ry: radius * rng.range(0.5, 1.2), color: color, opacity: rng.range(0.35, 0.7))
        }
        return RGBImage(width: cw, height: ch, pixels: pixels)
    }

    /// Source index for canvas index `i` when the source spans `origin..<origin + size`: inside
    /// it is the identity; outside, a mirror image of the edge band squeezed to 35% of the
    /// distance, so the continuation repeats only content near that edge.
    private static func continuation(_ i: Int, origin: Int, size: Int) -> Int {
        if i < origin {
            return reflect((origin - 1 - i) * 35 / 100, size)
        }
        if i >= origin + size {
            return size - 1 - reflect((i - origin - size) * 35 / 100, size)
        }
        return i - origin
    }

    /// Mirror-reflects index `i` into 0..<n (period 2n), e.g. -1 -> 0, n -> n - 1.
    private static func reflect(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }

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

    // MARK: - Math helpers

    /// A table of `scale * sin(2π * cycles * i / count + phase)` for i in 0..<count.
    private static func sineTable(count: Int, cycles: Float, phase: Float, scale: Float) -> [Float] {
        let step = 2 * Double.pi * Double(cycles) / Double(max(1, count))
        var table = [Float](repeating: 0, count: count)
        for i in 0..<count {
            table[i] = scale * Float(dsin(Double(i) * step + Double(phase)))
        }
        return table
    }

    /// Row-major 3x3 matrix rotating hue by `hue` radians about the grey axis, then scaling
    /// saturation by `saturation` (Rec. 601 luma weights).
    private static func colorMatrix(hue: Float, saturation: Float) -> [Float] {
        let cosA = Float(dsin(Double(hue) + Double.pi / 2))
        let sinA = Float(dsin(Double(hue)))
        let third: Float = 1.0 / 3.0
        let root: Float = 0.57735026
        let diag = cosA + (1 - cosA) * third
        let minus = (1 - cosA) * third - root * sinA
        let plus = (1 - cosA) * third + root * sinA
        let rotation: [Float] = [diag, minus, plus, plus, diag, minus, minus, plus, diag]
        let lr: Float = 0.299
        let lg: Float = 0.587
        let lb: Float = 0.114
        let k = saturation
        let sat: [Float] = [
            lr * (1 - k) + k, lg * (1 - k), lb * (1 - k),
            lr * (1 - k), lg * (1 - k) + k, lb * (1 - k),
            lr * (1 - k), lg * (1 - k), lb * (1 - k) + k,
        ]
        var result = [Float](repeating: 0, count: 9)
        for row in 0..<3 {
            for col in 0..<3 {
                var sum: Float = 0
                for k in 0..<3 { sum += sat[row * 3 + k] * rotation[k * 3 + col] }
                result[row * 3 + col] = sum
            }
        }
        return result
    }
}

/// Converts a 0...255 Float to a byte, clamping and rounding (NaN maps to 0).
@inline(__always)
private func toByte(_ v: Float) -> UInt8 {
    if !(v > 0) { return 0 }
    if v >= 255 { return 255 }
    return UInt8(v + 0.5)
}

/// Hermite smoothstep of `x` between `edge0` and `edge1`.
@inline(__always)
private func smoothstep(_ edge0: Float, _ edge1: Float, _ x: Float) -> Float {
    let t = max(0, min(1, (x - edge0) / (edge1 - edge0)))
    return t * t * (3 - 2 * t)
}

/// Deterministic sine (range reduction plus a Taylor polynomial, |error| < 1e-7) so
/// generated images do not depend on the platform's libm.
private func dsin(_ x: Double) -> Double {
    let twoPi = 6.283185307179586
    let halfPi = 1.5707963267948966
    var r = x - (x / twoPi).rounded() * twoPi
    if r > halfPi {
        r = 2 * halfPi - r
    } else if r < -halfPi {
        r = -2 * halfPi - r
    }
    let r2 = r * r
    return r * (1 - r2 / 6 * (1 - r2 / 20 * (1 - r2 / 42 * (1 - r2 / 72 * (1 - r2 / 110 * (1 - r2 / 156))))))
}
