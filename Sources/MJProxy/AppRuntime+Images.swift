import AsyncHTTPClient
import DiscordKit
import Foundation
import ImageMirror
import Logging
import ProxyCore
import Sandbox

/// Parts of the image mirror that need the finished runtime (its outbound policy, the sandbox's
/// address once it listens); filled at the end of `AppRuntime.init`.
final class ImageMirrorHooks: Sendable {
    let fetcher = Locked<(@Sendable () -> OutboundHTTP)?>(nil)
    let isDiscordURL = Locked<(@Sendable (String) -> Bool)?>(nil)
}

extension AppRuntime {
    /// The image mirror of `config.images` (nil when `images.mirror` is off) and the server of its links.
    /// `sharedKey`: the signing key of the instances on a shared store, used when `images.signingKey` is not set.
    static func makeImageMirror(
        config: AppConfig, registry: TaskRegistry, http: HTTPClient, apiPort: OneShot<Int>, hooks: ImageMirrorHooks, sharedKey: String? = nil,
        logger: Logger
    ) -> (ImageMirrorService?, ImageServer?) {
        let settings = config.images
        let backend: any ImageBackend
        switch settings.backend {
        case .off: return (nil, nil)
        case .s3: backend = S3ImageBackend(client: S3Client(settings: settings.s3, http: http), maxBytes: settings.maxBytes)
        case .disk: backend = DiskImageBackend(directory: settings.diskDirectory(storePath: config.storePath))
        }
        let keyFile = config.storePath == ":memory:" ? nil : ImageMirrorSettings.besideStore(config.storePath, "image-signing.key")
        let configured = settings.signingKey.flatMap { $0.isEmpty ? nil : $0 } ?? sharedKey
        let (key, persisted) = ImageURLSigner.loadKey(configured: configured, keyFile: keyFile)
        if !persisted { logger.warning("image links are signed with a key of this run only: set images.signingKey to keep them valid") }
        let signer = ImageURLSigner(key: key)
        // Without images.publicBaseUrl, links name the API's own address (loopback for a wildcard bind).
        let bindHost = ["0.0.0.0", "::", ""].contains(config.host) ? "127.0.0.1" : config.host
        let host = bindHost.contains(":") ? "[\(bindHost)]" : bindHost
        let configuredPort = config.port
        let publicBase = settings.publicBaseURL.flatMap { $0.isEmpty ? nil : $0 }
        let links = ImageLinks(
            signer: signer, proxyBase: { publicBase ?? "http://\(host):\(apiPort.current ?? configuredPort)" }, cdnBase: settings.cdnBaseURL,
            lifetime: settings.linkLifetime)
        let mirror = ImageMirrorService(
            settings: settings, backend: backend, links: links, registry: registry,
            fetcher: { hooks.fetcher.value?() ?? OutboundHTTP(logger: logger) },
            isDiscordURL: { url in hooks.isDiscordURL.value?(url) ?? false }, logger: logger)
        logger.info("image mirror on", metadata: ["backend": "\(settings.backend.rawValue)", "s3": "\(settings.backend == .s3 ? settings.s3.description : "-")"])
        return (mirror, ImageServer(backend: backend, signer: signer, logger: logger))
    }

    /// Connects the mirror's hooks to this runtime: downloads under the outbound policy that trusts
    /// the Discord endpoints and the sandbox; links on Discord's CDN, `discord.cdnBase` or the sandbox are copied.
    func connectImageMirror(_ hooks: ImageMirrorHooks) {
        hooks.fetcher.withLock {
            $0 = { [weak self] in self?.outboundHTTP(trusting: self?.config.discord ?? .discord) ?? OutboundHTTP() }
        }
        hooks.isDiscordURL.withLock {
            $0 = { [weak self] url in self?.isDiscordImageURL(url) ?? false }
        }
    }

    /// Whether `url` is on Discord's CDN, the configured CDN base, or the sandbox's CDN.
    func isDiscordImageURL(_ url: String) -> Bool {
        let bases = ["https://cdn.discordapp.com", "https://media.discordapp.net", config.discord.cdnBase, sandbox?.baseURL, sandbox?.localBaseURL]
        return bases.compactMap { $0 }.contains { base in
            guard !base.isEmpty else { return false }
            return url.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }
}
