// RGBImage.swift
//
// The raster the sandbox's imaging works on (ImageSynth) and PNGCodec reads and writes.

import Foundation

/// An 8-bit RGB raster (3 bytes per pixel, row-major from the top-left corner).
struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    let width: Int
    /// Height in pixels.
    let height: Int
    /// Interleaved R, G, B bytes; exactly `width * height * 3` of them.
    var pixels: [UInt8]

    /// Creates an image from existing pixel bytes (`pixels.count` must be `width * height * 3`).
    init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size")
        precondition(pixels.count == width * height * 3, "RGBImage: pixel count does not match size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Creates an image of the given size filled with one colour.
    init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) {
        let w = max(0, width)
        let h = max(0, height)
        var px = [UInt8](repeating: red, count: w * h * 3)
        if green != red || blue != red {
            var i = 0
            while i < px.count {
                px[i + 1] = green
                px[i + 2] = blue
                i += 3
            }
        }
        self.init(width: w, height: h, pixels: px)
    }
}
