import DiscordKit
import Foundation

@testable import Sandbox

/// Real PNG images for requests, drawn by the sandbox's own synthesiser.
enum TestImages {
    /// A PNG of `size`×`size` drawn from `seed`, base64-encoded.
    static func png(seed: String, size: Int = 48) -> String {
        Data(PNGCodec.encode(ImageSynth.artwork(seed: stableSeed(seed), width: size, height: size))).base64EncodedString()
    }

    /// A black/white mask PNG (white = repaint the centre), base64-encoded.
    static func mask(size: Int = 48) -> String {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in size / 4..<(3 * size / 4) {
            for x in size / 4..<(3 * size / 4) { for c in 0..<3 { pixels[(y * size + x) * 3 + c] = 255 } }
        }
        return Data(PNGCodec.encode(RGBImage(width: size, height: size, pixels: pixels))).base64EncodedString()
    }

    /// Width and height of PNG bytes.
    static func size(_ b: [UInt8]) -> (Int, Int) {
        guard b.count > 24 else { return (0, 0) }
        return (Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19]), Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23]))
    }
}

extension TestProxy {
    /// Submits an action and waits for the child task.
    func act(_ parent: String, _ customId: String) async throws -> JSONValue {
        let answer = try await post("/mj/submit/action", #"{"taskId":"\#(parent)","customId":"\#(customId)"}"#)
        guard let id = answer["result"]?.stringValue, answer["code"]?.intValue == 1 || answer["code"]?.intValue == 22 else {
            throw TestFailure("action \(customId) refused: \(answer.compactString)")
        }
        return try await waitFinished(id).task
    }

    /// A finished task's button customId starting with `prefix`.
    func button(_ task: JSONValue, _ prefix: String) throws -> String {
        guard let id = (task["buttons"]?.arrayValue ?? []).compactMap({ $0["customId"]?.stringValue }).first(where: { $0.hasPrefix(prefix) }) else {
            throw TestFailure("no button \(prefix) on \(task["id"]?.stringValue ?? "?")")
        }
        return id
    }

    /// Downloads a task's image and returns its size (expects a PNG).
    func imageSize(_ task: JSONValue) async throws -> (Int, Int) {
        guard let url = task["imageUrl"]?.stringValue else { throw TestFailure("no imageUrl") }
        let image = try await download(url)
        guard image.status == 200, image.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { throw TestFailure("not a PNG: \(url)") }
        return TestImages.size(image.bytes)
    }
}
