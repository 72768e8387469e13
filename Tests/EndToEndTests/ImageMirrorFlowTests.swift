import AsyncHTTPClient
import DiscordKit
import Foundation
import Hummingbird
import ImageMirror
import Logging
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import Storage
import Testing

@testable import MJProxy

/// The image mirror through HTTP: imagine → SUCCESS → `imageUrl` on `/mj/image`, bytes equal to the
/// Discord attachment, signed links refused when wrong or expired, the copy outliving the Discord
/// link, copies resumed after a restart and retried after failures.
@Suite struct ImageMirrorFlowTests {
    static let signingKey = "image-mirror-test-signing-key"

    static func tempDir() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-mirror-\(UUID().uuidString)").path }

    /// Polls a task until its image is mirrored (fails on FAILURE/CANCEL).
    static func waitMirrored(_ proxy: TestProxy, _ id: String, headers: [(String, String)] = []) async throws -> JSONValue {
        try await eventually("task \(id) to be mirrored", timeout: .seconds(90), every: .milliseconds(20)) { () -> JSONValue? in
            let task = try await proxy.get("/mj/task/\(id)/fetch", headers: headers)
            if let status = task["status"]?.stringValue, ["FAILURE", "CANCEL"].contains(status) { throw TestFailure("task ended \(task.compactString)") }
            guard task["status"]?.stringValue == "SUCCESS", task["imageUrl"]?.stringValue?.contains("/mj/image/") == true else { return nil }
            return task
        }
    }

    @Test func finalImageIsMirroredToDiskAndOutlivesTheDiscordLink() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = TestProxy.config {
            $0.images.backend = .disk
            $0.images.directory = dir
            $0.images.signingKey = Self.signingKey
            $0.apiSecret = "api-secret"
        }
        try await TestProxy.with(config) { proxy in
            let auth = [("mj-api-secret", "api-secret")]
            let submitted = try await proxy.post("/mj/submit/imagine", #"{"prompt":"a mirrored lighthouse"}"#, headers: auth)
            let id = try #require(submitted["result"]?.stringValue, "\(submitted.compactString)")
            let task = try await Self.waitMirrored(proxy, id, headers: auth)
            #expect(task["progress"]?.stringValue == "100%")
            let link = try #require(task["imageUrl"]?.stringValue)
            let discordURL = try #require(task["properties"]?["discordImageUrl"]?.stringValue)
            #expect(link.hasPrefix("\(proxy.baseURL)/mj/image/\(id)/final.png?exp="))
            #expect(proxy.runtime.isDiscordImageURL(discordURL))

            // The mirrored bytes are the Discord attachment's, served without the API secret.
            let original = try await proxy.download(discordURL)
            #expect(original.status == 200)
            let mirrored = try await proxy.download(link)
            #expect(mirrored.status == 200)
            #expect(mirrored.contentType == "image/png")
            #expect(mirrored.bytes == original.bytes && !original.bytes.isEmpty)
            #expect(FileManager.default.contents(atPath: "\(dir)/\(id)/final.png").map(Array.init) == original.bytes)
            let head = try await proxy.request(.GET, link)
            #expect(head.headers.first(name: "Cache-Control")?.contains("max-age=") == true)

            // Wrong, missing, tampered or expired signatures are refused in the API's JSON format.
            let path = ImageURLSigner.path(taskId: id, name: "final.png")
            let signer = ImageURLSigner(key: Array(Self.signingKey.utf8))
            let exp = try #require(URLComponents(string: link)?.queryItems?.first { $0.name == "exp" }?.value.flatMap { Int64($0) })
            let past = Int64(Date().timeIntervalSince1970) - 10
            let refused: [(String, Int)] = [
                (String(link.dropLast()) + (link.hasSuffix("0") ? "1" : "0"), 404),
                ("\(proxy.baseURL)\(path)?exp=\(exp)", 404),
                ("\(proxy.baseURL)\(path)?exp=\(exp + 1000)&sig=\(signer.signature(path: path, expires: exp))", 404),
                ("\(proxy.baseURL)\(path)?\(signer.query(path: path, expires: past))", 403),
                ("\(proxy.baseURL)/mj/image/1800000000000000009/final.png?\(signer.query(path: "/mj/image/1800000000000000009/final.png", expires: exp))", 404),
                ("\(proxy.baseURL)/mj/image/\(id)/..%2F..%2Fimage-signing.key?sig=00", 404),
            ]
            for (url, status) in refused {
                let answer = try await proxy.request(.GET, url)
                #expect(answer.status == status, "\(url)")
                let body = try JSONValue.parse(answer.body)
                #expect(body["code"]?.intValue == Int64(status) && body["description"]?.stringValue?.isEmpty == false, "\(answer.body)")
            }

            // Discord forgets the file: the mirrored image still serves, the task stays SUCCESS.
            #expect(await proxy.runtime.sandbox!.world.expireCDNFiles() > 0)
            #expect(try await proxy.download(discordURL).status == 404)
            let again = try await proxy.download(link)
            #expect(again.status == 200 && again.bytes == original.bytes)
            let after = try await proxy.get("/mj/task/\(id)/fetch", headers: auth)
            #expect(after["status"]?.stringValue == "SUCCESS" && after["imageUrl"]?.stringValue == link)
            #expect(proxy.runtime.images?.counters.value["copied"] == 1)
        }
    }

    @Test func aCopyLeftUndoneIsMadeAfterARestartRetryingFailures() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let png = try #require(Data(base64Encoded: TestImages.png(seed: "left undone"))).map { $0 }
        let failuresLeft = Locked(2)
        let router = Router()
        router.get("/attachments/1/2/grid.png") { _, _ -> Response in
            // Discord's CDN answering 503 twice before it serves the file.
            if failuresLeft.withLock({ n -> Bool in
                n -= 1
                return n >= 0
            }) {
                return Response(status: .serviceUnavailable)
            }
            var headers = HTTPFields()
            headers[.contentType] = "image/png"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        try await withLocalServer(router) { port in
            let cdn = "http://127.0.0.1:\(port)"
            let discordURL = "\(cdn)/attachments/1/2/grid.png?ex=1&is=2&hm=3&"
            // What a process stopped right after SUCCESS leaves behind: a finished task with its Discord link.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-mirror-\(UUID().uuidString).sqlite").path
            let store = try await SQLiteTaskStore.open(path: path, logger: Logger(label: "t"))
            var task = MJTask(id: "1800000000000000101", action: .imagine, botType: .midJourney, prompt: "left undone", submitTime: nowMillis())
            task.imageUrl = discordURL
            task.succeed(at: nowMillis())
            try await store.save(task)
            try await store.close()
            let taskId = task.id
            let config = TestProxy.config(storePath: path) {
                $0.images.backend = .disk
                $0.images.directory = dir
                $0.images.firstRetryDelay = .milliseconds(50)
                $0.discord.cdnBase = cdn
            }
            try await TestProxy.with(config) { proxy in
                let mirrored = try await Self.waitMirrored(proxy, taskId)
                #expect(mirrored["properties"]?["discordImageUrl"]?.stringValue == discordURL)
                let image = try await proxy.download(try #require(mirrored["imageUrl"]?.stringValue))
                #expect(image.status == 200 && image.bytes == png)
                #expect(failuresLeft.value < 0)
                #expect(proxy.runtime.images?.counters.value["retry"] == 2)
            }
            // The next start finds nothing left to copy.
            try await TestProxy.with(config) { proxy in
                #expect(proxy.runtime.images?.pending == 0)
                let again = try await proxy.get("/mj/task/\(taskId)/fetch")
                #expect(again["imageUrl"]?.stringValue?.contains("/mj/image/\(taskId)/final.png") == true)
            }
        }
    }

    @Test func previewsAreMirroredWhenAsked() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = TestProxy.config {
            $0.images.backend = .disk
            $0.images.directory = dir
            $0.images.previews = true
            $0.sandbox.speedFactor = 0.2
        }
        try await TestProxy.with(config) { proxy in
            let id = try await proxy.imagine("previews kept too")
            _ = try await Self.waitMirrored(proxy, id)
            let names = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(id)")
            #expect(names.contains("final.png"))
            #expect(names.contains { $0.hasPrefix("preview-") && $0.hasSuffix(".png") }, "\(names)")
        }
    }
}

/// The S3 backend against moto's S3 server.
@Suite(.enabled(if: MotoS3.enabled, "needs moto_server (scripts/test starts it)")) struct ImageMirrorS3Tests {
    static func settings(_ endpoint: String) -> S3Settings {
        S3Settings(endpoint: endpoint, region: "us-east-1", bucket: "mjproxy-\(UUID().uuidString.lowercased().prefix(12))", accessKey: "testing", secretKey: "testing")
    }

    @Test func objectsArePutReadListedAndSwept() async throws {
        try await MotoS3.with { endpoint in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let outcome: Result<Void, any Error>
            do {
                let client = S3Client(settings: Self.settings(endpoint), http: http)
                try await client.createBucket()
                let backend = S3ImageBackend(client: client, maxBytes: 1 << 20)
                let bytes = (0..<5000).map { UInt8($0 % 251) }
                try await backend.put(key: "1800000000000000201/final.png", bytes: bytes, contentType: "image/png")
                try await backend.put(key: "1800000000000000201/preview-46.png", bytes: [1], contentType: "image/png")
                try await client.put(key: "notes/readme.txt", bytes: Array("not ours".utf8), contentType: "text/plain")
                #expect(try await backend.get(key: "1800000000000000201/final.png") == bytes)
                #expect(try await client.get(key: "1800000000000000201/final.png", maxBytes: 1 << 20)?.contentType == "image/png")
                #expect(try await backend.get(key: "1800000000000000201/missing.png") == nil)
                #expect(Set(try await client.list().objects.map(\.key)).count == 3)
                #expect(try await backend.deleteOlder(than: Date(timeIntervalSinceNow: -86_400)) == 0)
                // Everything is older than tomorrow: the mirror's two images go, the foreign object stays.
                #expect(try await backend.deleteOlder(than: Date(timeIntervalSinceNow: 86_400)) == 2)
                #expect(try await client.list().objects.map(\.key) == ["notes/readme.txt"])
                try await backend.delete(key: "notes/readme.txt")
                try await backend.delete(key: "notes/readme.txt")
                #expect(try await client.list().objects.isEmpty)
                // A missing bucket is an S3 error with S3's code.
                var other = client.settings
                other.bucket = "mjproxy-missing-bucket"
                await #expect(throws: S3Error.self) { try await S3Client(settings: other, http: http).put(key: "x/final.png", bytes: [1], contentType: "image/png") }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            try await http.shutdown()
            try outcome.get()
        }
    }

    @Test func imagineIsMirroredToTheBucket() async throws {
        try await MotoS3.with { endpoint in
            let s3 = Self.settings(endpoint)
            let config = TestProxy.config {
                $0.images.backend = .s3
                $0.images.s3 = s3
            }
            try await TestProxy.with(config) { proxy in
                try await S3Client(settings: s3, http: proxy.runtime.http).createBucket()
                let id = try await proxy.imagine("a lighthouse in a bucket")
                let task = try await ImageMirrorFlowTests.waitMirrored(proxy, id)
                let original = try await proxy.download(try #require(task["properties"]?["discordImageUrl"]?.stringValue))
                let mirrored = try await proxy.download(try #require(task["imageUrl"]?.stringValue))
                #expect(mirrored.status == 200 && mirrored.contentType == "image/png")
                #expect(mirrored.bytes == original.bytes && !original.bytes.isEmpty)
                let stored = try await S3Client(settings: s3, http: proxy.runtime.http).get(key: "\(id)/final.png", maxBytes: 32 << 20)
                #expect(stored?.bytes == original.bytes)
            }
        }
    }
}
