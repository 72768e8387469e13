import Foundation
import Logging
import ProxyCore

/// Answers `GET /mj/image/{taskId}/{name}`: checks the link's signature and expiry, then reads the
/// image from the backend.
public struct ImageServer: ImageServing {
    let backend: any ImageBackend
    let signer: ImageURLSigner
    let logger: Logger

    /// Creates a server over `backend`, checking links with `signer`.
    public init(backend: any ImageBackend, signer: ImageURLSigner, logger: Logger) {
        self.backend = backend
        self.signer = signer
        self.logger = logger
    }

    public func image(taskId: String, name: String, expires: String?, signature: String?) async -> ImageLookup {
        guard ImageName.isValid(taskId: taskId, name: name) else { return .notFound }
        guard let signature, !signature.isEmpty else { return .badSignature }
        var exp: Int64?
        if let expires {
            guard let e = Int64(expires) else { return .badSignature }
            exp = e
        }
        guard signer.isValid(path: ImageURLSigner.path(taskId: taskId, name: name), expires: exp, signature: signature) else { return .badSignature }
        let now = Int64(Date().timeIntervalSince1970)
        if let exp, exp < now { return .expired }
        let bytes: [UInt8]?
        do {
            bytes = try await backend.get(key: ImageName.key(taskId: taskId, name: name))
        } catch {
            logger.error("image store read failed", metadata: ["task": "\(taskId)", "name": "\(name)", "error": "\(error)"])
            return .unavailable
        }
        guard let bytes else { return .notFound }
        // Cached until the link expires (a year when it never does): the bytes behind a name never change.
        return .image(bytes: bytes, contentType: ImageName.contentType(of: name), maxAgeSeconds: exp.map { max(0, $0 - now) } ?? 31_536_000)
    }
}
