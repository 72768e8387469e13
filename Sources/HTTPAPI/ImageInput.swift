import ProxyCore

/// Decodes request images: data URL or bare base64 (whitespace ignored, padding optional),
/// type by magic bytes (PNG, JPEG, GIF, WEBP), at most 4 MB decoded (contract §4).
///
/// One pass over the text, straight into the output buffer: the magic bytes are checked as soon as
/// the first 12 bytes are decoded (V9 before the rest is read) and decoding stops the moment the
/// output would pass 4 MB (V10), so a hostile payload costs neither a second copy nor more memory
/// than the limit.
enum ImageInput {
    static let maxBytes = 4 * 1024 * 1024

    /// Decodes image `index` of `field`, or throws V8 / V9 / V10.
    static func decode(_ text: String, field: String, index: Int?) throws(APIValidationError) -> SubmittedImage {
        // Single-image fields have no index: "{field}[]" is shortened to "{field}" when the text is rendered.
        let place: [String: String] = ["field": field, "i": index.map(String.init) ?? ""]
        func error(_ key: String) -> APIValidationError { APIValidationError(key: key, values: place) }
        var payload = Substring(text)
        if payload.hasPrefix("data:") {
            guard let comma = payload.firstIndex(of: ",") else { throw error("V8") }
            let header = payload[..<comma]
            guard header.hasSuffix(";base64") else { throw error("V8") }
            payload = payload[payload.index(after: comma)...]
        }
        switch decodeImage(payload, maxBytes: maxBytes) {
        case .invalidBase64: throw error("V8")
        case .notAnImage: throw error("V9")
        case .tooLarge: throw error("V10")
        case .image(let bytes, let kind): return SubmittedImage(bytes: bytes, contentType: kind.mime, fileExtension: kind.ext)
        }
    }

    /// What decoding a payload gave.
    enum Outcome: Equatable {
        case invalidBase64
        case notAnImage
        case tooLarge
        case image([UInt8], ImageKind)
    }

    /// An accepted image type.
    struct ImageKind: Equatable {
        var mime: String
        var ext: String
    }

    /// Decodes strict base64 (standard alphabet, whitespace ignored, padding optional) of an image.
    static func decodeImage(_ text: Substring, maxBytes: Int) -> Outcome {
        var out: [UInt8] = []
        // Decoded size is at most 3/4 of the text: reserve that (capped), never more.
        out.reserveCapacity(min(text.utf8.count / 4 * 3 + 3, maxBytes))
        var quad: UInt32 = 0
        var inQuad = 0
        var padding = 0
        var kind: ImageKind?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - 71
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c + 4
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2 else { return .invalidBase64 }
                continue
            case 0x20, 0x0A, 0x0D, 0x09: continue
            default: return .invalidBase64
            }
            guard padding == 0 else { return .invalidBase64 }
            quad = quad << 6 | UInt32(v)
            inQuad += 1
            if inQuad == 4 {
                guard out.count + 3 <= maxBytes else { return .tooLarge }
                out.append(UInt8(truncatingIfNeeded: quad >> 16))
                out.append(UInt8(truncatingIfNeeded: quad >> 8))
                out.append(UInt8(truncatingIfNeeded: quad))
                quad = 0
                inQuad = 0
                if kind == nil && out.count >= 12 {
                    guard let detected = detectType(out) else { return .notAnImage }
                    kind = detected
                }
            }
        }
        switch inQuad {
        case 0: break
        case 1: return .invalidBase64
        case 2:
            guard out.count + 1 <= maxBytes else { return .tooLarge }
            out.append(UInt8(truncatingIfNeeded: quad >> 4))
        default:
            guard out.count + 2 <= maxBytes else { return .tooLarge }
            out.append(UInt8(truncatingIfNeeded: quad >> 10))
            out.append(UInt8(truncatingIfNeeded: quad >> 2))
        }
        guard !out.isEmpty else { return .invalidBase64 }
        guard let found = kind ?? detectType(out) else { return .notAnImage }
        return .image(out, found)
    }

    /// The image type from magic bytes.
    static func detectType(_ b: [UInt8]) -> ImageKind? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return ImageKind(mime: "image/png", ext: "png") }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return ImageKind(mime: "image/jpeg", ext: "jpg") }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return ImageKind(mime: "image/gif", ext: "gif") }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), b[8..<12].elementsEqual("WEBP".utf8) { return ImageKind(mime: "image/webp", ext: "webp") }
        return nil
    }
}
