import Testing

@testable import Sandbox

/// The sandbox's PNG encoder: what it writes decodes to the same pixels, at every size its zlib window
/// is sized for (one pixel up to larger than the biggest window).
@Suite struct PNGCodecTests {
    @Test(arguments: [(1, 1), (7, 3), (64, 64), (300, 200), (700, 40)])
    func encodedImagesDecodeToTheSamePixels(width: Int, height: Int) throws {
        let image = ImageSynth.artwork(seed: stableSeed("png \(width)x\(height)"), width: width, height: height)
        for level: Int32 in [0, 1, 6, 9] {
            let png = PNGCodec.encode(image, level: level)
            #expect(Array(png.prefix(8)) == PNGCodec.signature)
            let decoded = try #require(PNGCodec.decode(png), "level \(level)")
            #expect(decoded == image, "level \(level)")
        }
    }
}
