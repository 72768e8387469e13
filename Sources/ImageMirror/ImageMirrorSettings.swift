import Foundation

/// The image mirror's configuration (`images.*`).
public struct ImageMirrorSettings: Sendable, Equatable {
    /// Where copies go.
    public enum Backend: String, Sendable, CaseIterable {
        /// No mirror: `imageUrl` stays the Discord link.
        case off
        /// Files under `directory`.
        case disk
        /// An S3-compatible bucket.
        case s3
    }

    public var backend: Backend = .disk
    /// Folder of the disk backend; nil = `images` next to the store file.
    public var directory: String?
    /// Also mirror progress previews (each one replaces the preview link while the task runs).
    public var previews = false
    /// Largest image copied.
    public var maxBytes = 32 << 20
    /// Days an image is kept (0 = forever).
    public var retentionDays = 30.0
    /// The proxy's public base URL for `/mj/image` links; nil = the API's own address.
    public var publicBaseURL: String?
    /// A CDN (or web server) serving the bucket or folder as `<cdnBaseURL>/<taskId>/<name>`: links
    /// point there, unsigned.
    public var cdnBaseURL: String?
    /// Key of the link signatures; nil = a random key kept in `image-signing.key` next to the store.
    public var signingKey: String?
    /// How long a signed link is valid; 0 = as long as the image is kept (retention), or forever.
    public var urlTTLSeconds = 0.0
    public var s3 = S3Settings()
    /// Copies running at once.
    public var concurrency = 2
    /// Attempts per copy before it is given up (until the next start looks again).
    public var maxAttempts = 8
    public var firstRetryDelay: Duration = .seconds(2)
    public var maxRetryDelay: Duration = .seconds(300)
    /// How often the retention sweep runs.
    public var sweepInterval: Duration = .seconds(3600)
    /// At start, how many of the newest tasks are looked at for images still to copy.
    public var startupScanLimit = 5000
    /// At start, how far back (by submit time) tasks are looked at: older Discord links are dead anyway.
    public var startupScanWindow: Duration = .seconds(14 * 86_400)
    /// Longest time one download may take.
    public var downloadTimeout: Duration = .seconds(60)

    /// Creates the defaults (disk mirror next to the store, 30 days, 32 MB).
    public init() {}

    /// How long a signed link is valid: the TTL, else the retention, else forever (nil).
    public var linkLifetime: Duration? {
        if urlTTLSeconds > 0 { return .seconds(urlTTLSeconds) }
        if retentionDays > 0 { return .seconds(retentionDays * 86_400) }
        return nil
    }

    /// The folder of the disk backend for a store at `storePath`.
    public func diskDirectory(storePath: String) -> String {
        if let directory, !directory.isEmpty { return directory }
        return Self.besideStore(storePath, "images")
    }

    /// A file or folder `name` in the store file's folder (`./data` for `./data/mjproxy.sqlite`;
    /// `./data` when the store has no file).
    public static func besideStore(_ storePath: String, _ name: String) -> String {
        guard storePath != ":memory:", !storePath.isEmpty else { return "./data/\(name)" }
        return URL(fileURLWithPath: storePath).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
