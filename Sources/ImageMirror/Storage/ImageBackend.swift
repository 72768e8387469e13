import Foundation

/// Where mirrored images are kept, by key `<taskId>/<name>` (local disk or an S3-compatible bucket).
public protocol ImageBackend: Sendable {
    /// Stores `bytes` under `key`, replacing what was there; a reader never sees a partial file.
    func put(key: String, bytes: [UInt8], contentType: String) async throws
    /// The bytes under `key`, or nil when there are none.
    func get(key: String) async throws -> [UInt8]?
    /// Removes `key` (no error when absent).
    func delete(key: String) async throws
    /// Deletes every image written before `cutoff` (retention); returns how many were deleted.
    func deleteOlder(than cutoff: Date) async throws -> Int
}

/// A mirrored image's name: `final.<ext>` or `preview-<percent>.<ext>` (contract §8.3), and its key.
public enum ImageName {
    /// The file extension of a sniffed image kind.
    public static func fileExtension(_ mimeType: String) -> String {
        switch mimeType {
        case "image/jpeg": return "jpg"
        case "image/gif": return "gif"
        case "image/webp": return "webp"
        default: return "png"
        }
    }

    /// The Content-Type of a stored name, by its extension.
    public static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "jpg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        default: return "image/png"
        }
    }

    /// The name of a final image or of a preview at `percent`.
    public static func make(preview percent: Int?, mimeType: String) -> String {
        let ext = fileExtension(mimeType)
        return percent.map { "preview-\($0).\(ext)" } ?? "final.\(ext)"
    }

    /// Whether `taskId` and `name` are ones the mirror writes (digits; `final|preview-N` + known
    /// extension): anything else, e.g. `..` or a slash, is refused before it reaches a backend.
    public static func isValid(taskId: String, name: String) -> Bool {
        guard (1...32).contains(taskId.count), taskId.utf8.allSatisfy({ (48...57).contains($0) }) else { return false }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["png", "jpg", "gif", "webp"].contains(parts[1]) else { return false }
        if parts[0] == "final" { return true }
        guard parts[0].hasPrefix("preview-") else { return false }
        let digits = parts[0].dropFirst("preview-".count)
        return (1...3).contains(digits.count) && digits.utf8.allSatisfy { (48...57).contains($0) }
    }

    /// The backend key of an image.
    public static func key(taskId: String, name: String) -> String { "\(taskId)/\(name)" }
}
