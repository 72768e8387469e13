import Foundation
import ImageMirror

/// The `images.*` keys (YAML section `images`, env `MJPROXY_IMAGES_*`): the one place they are read
/// and checked. `AppConfig.images` holds the result.
extension ConfigLoader {
    static let imageKeys = [
        "mirror", "dir", "previews", "maxBytes", "retentionDays", "publicBaseUrl", "cdnBaseUrl", "signingKey", "urlTtlSeconds", "s3",
    ]
    static let imageS3Keys = ["endpoint", "region", "bucket", "accessKey", "secretKey", "pathStyle"]

    /// The `images` YAML section.
    static func applyImages(_ v: Any, to c: inout AppConfig) throws {
        for (k, value) in try map(v, "images") {
            let key = "images.\(k)"
            switch k {
            case "mirror": c.images.backend = try imageBackend(try string(value, key), key)
            case "dir": c.images.directory = try string(value, key)
            case "previews": c.images.previews = try bool(value, key)
            case "maxBytes": c.images.maxBytes = try int(value, key)
            case "retentionDays": c.images.retentionDays = try double(value, key)
            case "publicBaseUrl": c.images.publicBaseURL = try string(value, key)
            case "cdnBaseUrl": c.images.cdnBaseURL = try string(value, key)
            case "signingKey": c.images.signingKey = try string(value, key)
            case "urlTtlSeconds": c.images.urlTTLSeconds = try double(value, key)
            case "s3":
                for (sk, sv) in try map(value, key) {
                    let s3Key = "images.s3.\(sk)"
                    switch sk {
                    case "endpoint": c.images.s3.endpoint = try string(sv, s3Key)
                    case "region": c.images.s3.region = try string(sv, s3Key)
                    case "bucket": c.images.s3.bucket = try string(sv, s3Key)
                    case "accessKey": c.images.s3.accessKey = try string(sv, s3Key)
                    case "secretKey": c.images.s3.secretKey = try string(sv, s3Key)
                    case "pathStyle": c.images.s3.pathStyle = try bool(sv, s3Key)
                    default: throw unknown(s3Key, allowed: imageS3Keys)
                    }
                }
            default: throw unknown(key, allowed: imageKeys)
            }
        }
    }

    /// `MJPROXY_IMAGES_*` (over the file).
    static func applyImagesEnvironment(_ env: [String: String], to c: inout AppConfig) throws {
        func name(_ suffix: String) -> String { "MJPROXY_IMAGES_" + suffix }
        func get(_ suffix: String) -> String? { env[name(suffix)].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = get("MIRROR") { c.images.backend = try imageBackend(v, name("MIRROR")) }
        if let v = get("DIR") { c.images.directory = v }
        if let v = get("PREVIEWS") { c.images.previews = try bool(v, name("PREVIEWS")) }
        if let v = get("MAX_BYTES") { c.images.maxBytes = try int(v, name("MAX_BYTES")) }
        if let v = get("RETENTION_DAYS") { c.images.retentionDays = try double(v, name("RETENTION_DAYS")) }
        if let v = get("PUBLIC_BASE_URL") { c.images.publicBaseURL = v }
        if let v = get("CDN_BASE_URL") { c.images.cdnBaseURL = v }
        if let v = get("SIGNING_KEY") { c.images.signingKey = v }
        if let v = get("URL_TTL_SECONDS") { c.images.urlTTLSeconds = try double(v, name("URL_TTL_SECONDS")) }
        if let v = get("S3_ENDPOINT") { c.images.s3.endpoint = v }
        if let v = get("S3_REGION") { c.images.s3.region = v }
        if let v = get("S3_BUCKET") { c.images.s3.bucket = v }
        if let v = get("S3_ACCESS_KEY") { c.images.s3.accessKey = v }
        if let v = get("S3_SECRET_KEY") { c.images.s3.secretKey = v }
        if let v = get("S3_PATH_STYLE") { c.images.s3.pathStyle = try bool(v, name("S3_PATH_STYLE")) }
    }

    static func imageBackend(_ text: String, _ key: String) throws -> ImageMirrorSettings.Backend {
        guard let backend = ImageMirrorSettings.Backend(rawValue: text.lowercased()) else { throw ConfigError(key: key, problem: "must be off, disk or s3") }
        return backend
    }

    /// Ranges, URLs, and the S3 keys `images.mirror: s3` needs.
    static func validateImages(_ c: AppConfig) throws {
        let i = c.images
        guard (1024...(1 << 30)).contains(i.maxBytes) else { throw ConfigError(key: "images.maxBytes", problem: "must be 1024 to 1073741824") }
        guard i.retentionDays >= 0, i.retentionDays <= 36_500 else { throw ConfigError(key: "images.retentionDays", problem: "must be 0-36500 (0 = forever)") }
        guard i.urlTTLSeconds >= 0, i.urlTTLSeconds <= 3_153_600_000 else { throw ConfigError(key: "images.urlTtlSeconds", problem: "must be 0-3153600000 (0 = retention)") }
        for (key, url) in [("images.publicBaseUrl", i.publicBaseURL), ("images.cdnBaseUrl", i.cdnBaseURL)] {
            if let url, !url.isEmpty, !(url.hasPrefix("http://") || url.hasPrefix("https://")) { throw ConfigError(key: key, problem: "must be an http(s) URL") }
        }
        if let key = i.signingKey, !key.isEmpty, key.utf8.count < 16 { throw ConfigError(key: "images.signingKey", problem: "must be at least 16 characters") }
        guard i.backend == .s3 else { return }
        for (name, value) in [("endpoint", i.s3.endpoint), ("region", i.s3.region), ("bucket", i.s3.bucket), ("accessKey", i.s3.accessKey), ("secretKey", i.s3.secretKey)]
        where value.isEmpty {
            throw ConfigError(key: "images.s3.\(name)", problem: "is required with images.mirror s3")
        }
        guard i.s3.endpoint.hasPrefix("http://") || i.s3.endpoint.hasPrefix("https://") else {
            throw ConfigError(key: "images.s3.endpoint", problem: "must be an http(s) URL")
        }
    }
}
