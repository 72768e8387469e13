import Crypto
import Foundation
import HTTPTypes

/// Constant-time secret comparison over SHA-256 digests (lengths never leak).
enum SecretCheck {
    static func equal(_ a: String, _ b: String) -> Bool {
        let da = Array(SHA256.hash(data: Data(a.utf8)))
        let db = Array(SHA256.hash(data: Data(b.utf8)))
        var diff: UInt8 = 0
        for i in 0..<da.count { diff |= da[i] ^ db[i] }
        return diff == 0
    }

    /// The secret a request presents: `mj-api-secret` (a leading `Bearer ` stripped), else
    /// `Authorization: Bearer <s>` (scheme case-insensitive), else a bare `Authorization`.
    static func presented(_ headers: HTTPFields) -> String? {
        if let s = headers[HTTPField.Name("mj-api-secret")!] {
            return s.lowercased().hasPrefix("bearer ") ? String(s.dropFirst(7)).trimmingCharacters(in: .whitespaces) : s
        }
        if let auth = headers[.authorization] {
            if auth.lowercased().hasPrefix("bearer ") { return String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            return auth
        }
        return nil
    }
}
