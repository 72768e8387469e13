import Crypto
import DiscordKit
import Foundation

/// Signs and checks `/mj/image/<taskId>/<name>` links (contract §5.8): `sig` is the hex of the first
/// 16 bytes of HMAC-SHA256(key, message), the message being the path, followed by `?exp=<epoch s>`
/// when the link expires. Checks compare in constant time.
public struct ImageURLSigner: Sendable {
    private let key: [UInt8]

    /// Creates a signer with `key` (any length; 32 random bytes when generated).
    public init(key: [UInt8]) { self.key = key }

    /// The path of an image route.
    public static func path(taskId: String, name: String) -> String { "/mj/image/\(taskId)/\(name)" }

    /// The signature of `path` expiring at `expires` (epoch seconds; nil = never).
    public func signature(path: String, expires: Int64?) -> String {
        let message = expires.map { "\(path)?exp=\($0)" } ?? path
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key))
        return TextFormat.hex(mac.prefix(16))
    }

    /// The query string of a signed link: `exp=…&sig=…`, or `sig=…` when it does not expire.
    public func query(path: String, expires: Int64?) -> String {
        let sig = signature(path: path, expires: expires)
        return expires.map { "exp=\($0)&sig=\(sig)" } ?? "sig=\(sig)"
    }

    /// Whether `signature` (hex, any case) is the one of `path` and `expires`, compared in constant time.
    public func isValid(path: String, expires: Int64?, signature: String) -> Bool {
        let expected = Array(self.signature(path: path, expires: expires).utf8)
        let given = Array(signature.lowercased().utf8)
        guard given.count == expected.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<expected.count { diff |= expected[i] ^ given[i] }
        return diff == 0
    }

    /// The signing key: the configured one, else the one kept in `keyFile` (created with 32 random
    /// bytes, mode 0600, on first use, so links stay valid across restarts), else a random key for
    /// this run only (`keyFile` nil or not writable).
    public static func loadKey(configured: String?, keyFile: String?) -> (key: [UInt8], persisted: Bool) {
        if let configured, !configured.isEmpty { return (Array(configured.utf8), true) }
        if let keyFile {
            if let text = try? String(contentsOfFile: keyFile, encoding: .utf8), let bytes = hexBytes(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                bytes.count >= 16
            {
                return (bytes, true)
            }
            let fresh = randomKey()
            let folder = URL(fileURLWithPath: keyFile).deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let text = TextFormat.hex(fresh) + "\n"
            if FileManager.default.createFile(atPath: keyFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
                return (fresh, true)
            }
            return (fresh, false)
        }
        return (randomKey(), false)
    }

    static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }
}

/// How a mirrored image is linked in `imageUrl`: through the proxy's signed `/mj/image` route under
/// `proxyBase`, or, with `cdnBase` (a CDN or web server in front of the bucket or folder), as
/// `<cdnBase>/<taskId>/<name>` unsigned.
public struct ImageLinks: Sendable {
    public let signer: ImageURLSigner
    /// The proxy's public base URL (read when a link is made: the port may be bound late).
    public let proxyBase: @Sendable () -> String
    public let cdnBase: String?
    /// How long a signed link is valid; nil = no expiry.
    public let lifetime: Duration?

    /// Creates a link maker.
    public init(signer: ImageURLSigner, proxyBase: @escaping @Sendable () -> String, cdnBase: String?, lifetime: Duration?) {
        self.signer = signer
        self.proxyBase = proxyBase
        self.cdnBase = cdnBase.flatMap { $0.isEmpty ? nil : ($0.hasSuffix("/") ? String($0.dropLast()) : $0) }
        self.lifetime = lifetime
    }

    /// The link of an image stored now (`now` in epoch seconds).
    public func url(taskId: String, name: String, now: Int64) -> String {
        if let cdnBase { return "\(cdnBase)/\(taskId)/\(name)" }
        let path = ImageURLSigner.path(taskId: taskId, name: name)
        let expires = lifetime.map { now + $0.components.seconds }
        var base = proxyBase()
        if base.hasSuffix("/") { base.removeLast() }
        return "\(base)\(path)?\(signer.query(path: path, expires: expires))"
    }
}
