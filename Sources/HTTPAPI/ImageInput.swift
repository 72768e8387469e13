import ProxyCore

/// Decodes request images: data URL or bare base64 (whitespace ignored, padding optional),
/// type by magic bytes (PNG, JPEG, GIF, WEBP), at most 4 MB decoded (contract §4).
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
        guard let bytes = base64Decode(payload) else { throw error("V8") }
        guard let kind = detectType(bytes) else { throw error("V9") }
        guard bytes.count <= maxBytes else { throw error("V10") }
        return SubmittedImage(bytes: bytes, contentType: kind.mime, fileExtension: kind.ext)
    }

    /// Strict base64 (standard alphabet); nil on any other character or a bad length.
    static func base64Decode(_ text: Substring) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): guard padding == 0 else { return nil }; values.append(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): guard padding == 0 else { return nil }; values.append(c - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): guard padding == 0 else { return nil }; values.append(c + 4)
            case UInt8(ascii: "+"): guard padding == 0 else { return nil }; values.append(62)
            case UInt8(ascii: "/"): guard padding == 0 else { return nil }; values.append(63)
            case UInt8(ascii: "="): padding += 1
            case 0x20, 0x0A, 0x0D, 0x09: continue
            default: return nil
            }
        }
        guard padding <= 2, !values.isEmpty, values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i + 4 <= values.count {
            let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6 | UInt32(values[i + 3])
            out += [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
            i += 4
        }
        let rest = values.count - i
        if rest == 2 {
            let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12
            out.append(UInt8(n >> 16 & 0xFF))
        } else if rest == 3 {
            let n = UInt32(values[i]) << 18 | UInt32(values[i + 1]) << 12 | UInt32(values[i + 2]) << 6
            out += [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF)]
        }
        return out
    }

    /// The image type from magic bytes.
    static func detectType(_ b: [UInt8]) -> (mime: String, ext: String)? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return ("image/png", "png") }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return ("image/jpeg", "jpg") }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return ("image/gif", "gif") }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return ("image/webp", "webp") }
        return nil
    }
}
