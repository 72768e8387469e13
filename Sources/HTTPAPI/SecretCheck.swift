import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Constant-time secret comparison over SHA-256 digests (lengths never leak).
public enum SecretCheck {
    /// Whether `a` and `b` are equal, in time independent of where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
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

    /// The admin secret a request presents: `mj-admin-secret`, else as `presented`.
    static func presentedAdmin(_ headers: HTTPFields) -> String? {
        headers[HTTPField.Name("mj-admin-secret")!] ?? presented(headers)
    }
}

extension APIResponder {
    /// Checks the secret `auth` asks for; nil = allowed, else the 401/403 answer (contract §1.2).
    func authenticate(_ auth: Auth, _ headers: HTTPFields, segments: [String]) -> Response? {
        let apiSecret = configuration.apiSecret.flatMap { $0.isEmpty ? nil : $0 }
        let adminSecret = configuration.adminSecret.flatMap { $0.isEmpty ? nil : $0 }
        let presented = SecretCheck.presented(headers)
        let presentedAdmin = SecretCheck.presentedAdmin(headers)
        let isAdmin = adminSecret.map { admin in presentedAdmin.map { SecretCheck.equal($0, admin) } ?? false } ?? false
        let isAPI = apiSecret.map { api in presented.map { SecretCheck.equal($0, api) } ?? false } ?? false
        switch auth {
        case .open:
            return nil
        case .api:
            guard apiSecret != nil else { return nil }
            let seedWithoutSecret = configuration.imageSeedWithoutSecret && presentedAdmin == nil && segments.last == "image-seed"
            return seedWithoutSecret || isAPI || isAdmin ? nil : error(.unauthorized, code: 401, key: "U1")
        case .accountRead:
            guard apiSecret != nil || adminSecret != nil else { return nil }
            return isAPI || isAdmin ? nil : error(.unauthorized, code: 401, key: "U1")
        case .admin:
            guard adminSecret != nil else { return error(.forbidden, code: 403, key: "U2") }
            return isAdmin ? nil : error(.unauthorized, code: 401, key: "U1")
        }
    }
}
