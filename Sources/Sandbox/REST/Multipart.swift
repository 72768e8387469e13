import Foundation

// A minimal multipart/form-data reader for `payload_json` and `files[n]` parts. Written by hand:
// the dependency set has no multipart parser, and the sandbox only needs these two part kinds.

/// One part of a multipart body.
struct MultipartPart: Sendable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: [UInt8]
}

/// Splits multipart/form-data bodies.
enum Multipart {
    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/") else { return nil }
        for piece in contentType.split(separator: ";") {
            let kv = piece.trimmingCharacters(in: .whitespaces)
            if kv.lowercased().hasPrefix("boundary=") {
                return String(kv.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Splits `body` into parts; nil when it is not well-formed.
    static func parse(_ body: [UInt8], boundary: String) -> [MultipartPart]? {
        let delimiter = Array(("--" + boundary).utf8)
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0] && body[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        var parts: [MultipartPart] = []
        for (a, b) in zip(positions, positions.dropFirst()) {
            var start = a + delimiter.count
            if start + 1 < body.count && body[start] == 13 && body[start + 1] == 10 { start += 2 }
            var end = b
            if end >= 2 && body[end - 2] == 13 && body[end - 1] == 10 { end -= 2 }
            guard start <= end else { continue }
            let chunk = Array(body[start..<end])
            // Headers end at the first blank line.
            var split = -1
            var j = 0
            while j + 3 < chunk.count {
                if chunk[j] == 13 && chunk[j + 1] == 10 && chunk[j + 2] == 13 && chunk[j + 3] == 10 {
                    split = j
                    break
                }
                j += 1
            }
            guard split >= 0 else { continue }
            let headerText = String(decoding: chunk[0..<split], as: UTF8.self)
            var part = MultipartPart(name: "", filename: nil, contentType: nil, body: Array(chunk[(split + 4)...]))
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = value(of: "name", in: line) ?? ""
                    part.filename = value(of: "filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            parts.append(part)
        }
        return parts
    }

    private static func value(of key: String, in line: String) -> String? {
        for piece in line.split(separator: ";") {
            let kv = piece.trimmingCharacters(in: .whitespaces)
            if kv.hasPrefix(key + "=") {
                return String(kv.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
