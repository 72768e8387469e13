// SynthSupport.swift
//
// What ImageSynth builds on: seeds, its random generator, colours and palettes, and the math helpers
// (deterministic sine, smoothstep, byte conversion) that keep generated images identical on every platform.

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
struct SynthRandom {
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
struct Color3 {
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
struct Palette {
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

extension ImageSynth {
    // MARK: - Math helpers

    /// A table of `scale * sin(2π * cycles * i / count + phase)` for i in 0..<count.
    static func sineTable(count: Int, cycles: Float, phase: Float, scale: Float) -> [Float] {
        let step = 2 * Double.pi * Double(cycles) / Double(max(1, count))
        var table = [Float](repeating: 0, count: count)
        for i in 0..<count {
            table[i] = scale * Float(dsin(Double(i) * step + Double(phase)))
        }
        return table
    }

    /// Row-major 3x3 matrix rotating hue by `hue` radians about the grey axis, then scaling
    /// saturation by `saturation` (Rec. 601 luma weights).
    static func colorMatrix(hue: Float, saturation: Float) -> [Float] {
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
func toByte(_ v: Float) -> UInt8 {
    if !(v > 0) { return 0 }
    if v >= 255 { return 255 }
    return UInt8(v + 0.5)
}

/// Hermite smoothstep of `x` between `edge0` and `edge1`.
@inline(__always)
func smoothstep(_ edge0: Float, _ edge1: Float, _ x: Float) -> Float {
    let t = max(0, min(1, (x - edge0) / (edge1 - edge0)))
    return t * t * (3 - 2 * t)
}

/// Deterministic sine (range reduction plus a Taylor polynomial, |error| < 1e-7) so
/// generated images do not depend on the platform's libm.
func dsin(_ x: Double) -> Double {
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
