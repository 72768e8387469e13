import Foundation
import ImageMirror
import Testing

@testable import MJProxy

/// `images.*` from YAML and `MJPROXY_IMAGES_*`: defaults, overrides, errors naming the key.
@Suite struct ImageMirrorConfigTests {
    func load(_ yaml: String, env: [String: String] = [:]) throws -> AppConfig {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader.load(path: path, environment: env)
    }

    func error(_ yaml: String, env: [String: String] = [:]) -> String {
        do {
            _ = try load(yaml, env: env)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsMirrorToDiskBesideTheStore() throws {
        let c = try load("store:\n  path: /var/lib/mjproxy/tasks.sqlite\n")
        #expect(c.images.backend == .disk)
        #expect(c.images.diskDirectory(storePath: c.storePath) == "/var/lib/mjproxy/images")
        #expect(c.images.maxBytes == 32 << 20 && c.images.retentionDays == 30 && !c.images.previews)
        #expect(c.images.linkLifetime == .seconds(30 * 86_400))
        #expect(ImageMirrorSettings.besideStore("./data/mjproxy.sqlite", "images").hasSuffix("data/images"))
    }

    @Test func yamlAndEnvironmentSetEveryKey() throws {
        let yaml = """
            images:
              mirror: s3
              dir: /srv/images
              previews: true
              maxBytes: 1048576
              retentionDays: 0
              publicBaseUrl: https://mj.example.com
              cdnBaseUrl: https://img.example.com
              signingKey: a-signing-key-of-some-length
              urlTtlSeconds: 3600
              s3: {endpoint: "http://127.0.0.1:9000", region: eu-west-1, bucket: b, accessKey: ak, secretKey: sk, pathStyle: false}
            """
        let c = try load(yaml)
        #expect(c.images.backend == .s3 && c.images.directory == "/srv/images" && c.images.previews && c.images.maxBytes == 1 << 20)
        #expect(c.images.retentionDays == 0 && c.images.urlTTLSeconds == 3600 && c.images.linkLifetime == .seconds(3600))
        #expect(c.images.publicBaseURL == "https://mj.example.com" && c.images.cdnBaseURL == "https://img.example.com")
        #expect(c.images.s3 == S3Settings(endpoint: "http://127.0.0.1:9000", region: "eu-west-1", bucket: "b", accessKey: "ak", secretKey: "sk", pathStyle: false))
        let e = try load(yaml, env: ["MJPROXY_IMAGES_MIRROR": "OFF", "MJPROXY_IMAGES_S3_BUCKET": "other", "MJPROXY_IMAGES_RETENTION_DAYS": "7", "MJPROXY_IMAGES_URL_TTL_SECONDS": "0"])
        #expect(e.images.backend == .off && e.images.s3.bucket == "other" && e.images.linkLifetime == .seconds(7 * 86_400))
        #expect(try load("images: {retentionDays: 0}").images.linkLifetime == nil)
    }

    @Test func errorsNameTheKey() {
        #expect(error("images:\n  mirror: ftp\n").contains("images.mirror: must be off, disk or s3"))
        #expect(error("images:\n  bucket: b\n").contains("images.bucket: unknown key"))
        #expect(error("images:\n  s3: {bucket: b, secret: x}\n").contains("images.s3.secret: unknown key"))
        #expect(error("images:\n  mirror: s3\n").contains("images.s3.endpoint: is required"))
        #expect(error("images:\n  maxBytes: 10\n").contains("images.maxBytes"))
        #expect(error("images:\n  retentionDays: -1\n").contains("images.retentionDays"))
        #expect(error("images:\n  publicBaseUrl: mj.example.com\n").contains("images.publicBaseUrl: must be an http(s) URL"))
        #expect(error("images:\n  signingKey: short\n").contains("images.signingKey"))
        #expect(error("{}", env: ["MJPROXY_IMAGES_PREVIEWS": "maybe"]).contains("MJPROXY_IMAGES_PREVIEWS"))
    }
}
