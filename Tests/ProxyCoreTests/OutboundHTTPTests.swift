import DiscordKit
import HTTPTypes
import Hummingbird
import NIOCore
import ProxyCore
import Testing

/// `OutboundHTTP` against real local HTTP servers: loopback refusal, opening it, redirects re-checked
/// and capped, streaming size cap, magic-byte check, POST without redirects.
@Suite struct OutboundHTTPTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)
    static let chunk = ByteBuffer(repeating: 0x41, count: 64 << 10)

    /// Counts what the fake server did.
    final class Seen: Sendable {
        let bigStalled = Locked(false)
        let hooks = Locked<[String]>([])
    }

    /// Names the tests use, all resolving to loopback.
    struct LoopbackNames: HostResolver {
        func resolve(host: String) async throws -> [IPAddress] {
            guard host.hasSuffix(".test") else { return try await SystemHostResolver().resolve(host: host) }
            return [IPAddress(parsing: "127.0.0.1")].compactMap { $0 }
        }
        func localAddresses() -> Set<IPAddress> { [] }
    }

    func router(_ seen: Seen) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/image.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(bytes: Self.png)))
        }
        router.get("/fake.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(string: "<html>not an image</html>")))
        }
        // /hop/3 → /hop/2 → /hop/1 → /hop/0 → the image (n redirects).
        router.get("/hop/:n") { _, context in
            let n = context.parameters.get("n", as: Int.self) ?? 0
            let next = n <= 1 ? "/image.png" : "/hop/\(n - 1)"
            return Response(status: .found, headers: [.location: next])
        }
        router.get("/away") { request, _ in
            // An absolute redirect to a name that resolves to loopback.
            let port = request.head.authority?.split(separator: ":").last.map(String.init) ?? "80"
            return Response(status: .temporaryRedirect, headers: [.location: "http://internal.test:\(port)/image.png"])
        }
        router.get("/big") { _, _ in
            // 2 MB, then the body never ends: only a client that checks while streaming returns early.
            Response(
                status: .ok, headers: [.contentType: "image/png"],
                body: ResponseBody { writer in
                    for _ in 0..<32 { try await writer.write(Self.chunk) }
                    seen.bigStalled.withLock { $0 = true }
                    try await Task.sleep(for: .seconds(60))
                    try await writer.finish(nil)
                })
        }
        router.get("/sized/:chunks") { _, context in
            let n = context.parameters.get("chunks", as: Int.self) ?? 0
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<n { try await writer.write(Self.chunk) }
                    try await writer.finish(nil)
                })
        }
        router.post("/hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            seen.hooks.withLock { $0.append(String(buffer: body)) }
            return Response(status: .noContent)
        }
        router.post("/hook-moved") { _, _ in Response(status: .permanentRedirect, headers: [.location: "/hook"]) }
        return router
    }

    func withServer(_ body: (Int, Seen) async throws -> Void) async throws {
        let seen = Seen()
        try await TranslatorHTTPTests().withServer(router(seen)) { port in try await body(port, seen) }
    }

    @Test func loopbackIsRefusedByDefault() async throws {
        try await withServer { port, _ in
            let strict = OutboundHTTP()
            await #expect(throws: OutboundError.self) { try await strict.getImage(url: "http://127.0.0.1:\(port)/image.png", maxBytes: 1 << 20) }
            await #expect(throws: OutboundError.self) { try await strict.getImage(url: "http://localhost:\(port)/image.png", maxBytes: 1 << 20) }
            await #expect(throws: OutboundError.self) {
                try await strict.post(url: "http://127.0.0.1:\(port)/hook", headers: [], body: Array("x".utf8), timeout: .seconds(5))
            }
            // As the webhook transport, too.
            let transport: any WebhookTransport = strict
            await #expect(throws: OutboundError.self) {
                try await transport.post(url: "http://127.0.0.1:\(port)/hook", headers: [], body: [1], timeout: .seconds(5))
            }
            // A closed port and a refused address look the same to a client.
            var messages: Set<String> = []
            for url in ["http://127.0.0.1:\(port)/image.png", "http://127.0.0.1:1/image.png"] {
                let policy = OutboundPolicy(allowHosts: url.contains(":1/") ? ["127.0.0.1"] : [])
                do { _ = try await OutboundHTTP(policy: policy).get(url: url, maxBytes: 10, timeout: .seconds(1)) } catch { messages.insert("\(error)") }
            }
            #expect(messages == [OutboundError.genericDescription])
        }
    }

    @Test func privateNetworksOrAllowedHostsOpenIt() async throws {
        try await withServer { port, seen in
            let open = OutboundHTTP(policy: OutboundPolicy(allowPrivateNetworks: true))
            let image = try await open.getImage(url: "http://127.0.0.1:\(port)/image.png", maxBytes: 1 << 20)
            #expect(image.bytes == Self.png)
            #expect(image.kind == .png)  // the server said text/plain: the bytes decide
            let listed = OutboundHTTP(policy: OutboundPolicy(allowHosts: ["internal.test"], resolver: LoopbackNames()))
            #expect(try await listed.getImage(url: "http://internal.test:\(port)/image.png", maxBytes: 1 << 20).bytes == Self.png)
            let status = try await open.post(
                url: "http://127.0.0.1:\(port)/hook", headers: [("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8),
                timeout: .seconds(5))
            #expect(status == 204)
            #expect(seen.hooks.value == [#"{"a":1}"#])
        }
    }

    @Test func redirectsAreRecheckedAndCapped() async throws {
        try await withServer { port, seen in
            let listed = OutboundHTTP(policy: OutboundPolicy(allowHosts: ["127.0.0.1"], resolver: LoopbackNames()))
            // Three redirects are followed; a fourth is one too many.
            #expect(try await listed.getImage(url: "http://127.0.0.1:\(port)/hop/3", maxBytes: 1 << 20).bytes == Self.png)
            await #expect(throws: OutboundError.self) { try await listed.getImage(url: "http://127.0.0.1:\(port)/hop/4", maxBytes: 1 << 20) }
            // A hop to a host the policy refuses (internal.test → 127.0.0.1, not listed) is refused.
            await #expect(throws: OutboundError.self) { try await listed.getImage(url: "http://127.0.0.1:\(port)/away", maxBytes: 1 << 20) }
            let both = OutboundHTTP(policy: OutboundPolicy(allowHosts: ["127.0.0.1", "internal.test"], resolver: LoopbackNames()))
            #expect(try await both.getImage(url: "http://127.0.0.1:\(port)/away", maxBytes: 1 << 20).bytes == Self.png)
            // POST never follows: the 308 comes back as the status and nothing reaches /hook.
            let status = try await listed.post(url: "http://127.0.0.1:\(port)/hook-moved", headers: [], body: [1], timeout: .seconds(5))
            #expect(status == 308)
            #expect(seen.hooks.value.isEmpty)
        }
    }

    @Test func bodyOverTheCapIsRefusedWhileStreaming() async throws {
        try await withServer { port, seen in
            let open = OutboundHTTP(policy: OutboundPolicy(allowPrivateNetworks: true))
            let started = ContinuousClock.now
            do {
                _ = try await open.get(url: "http://127.0.0.1:\(port)/big", maxBytes: 1 << 20, timeout: .seconds(20))
                Issue.record("a body over the cap was accepted")
            } catch let error as OutboundError {
                #expect(error.detail.contains("larger than"), "\(error.detail)")
            }
            // The server is still sending (its body never ends): the client stopped at the cap, it did not wait for the end.
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(seen.bigStalled.value)
            // Under the cap a streamed body is read whole.
            let whole = try await open.get(url: "http://127.0.0.1:\(port)/sized/40", maxBytes: 40 << 16)
            #expect(whole.bytes.count == 40 << 16)
            await #expect(throws: OutboundError.self) { try await open.get(url: "http://127.0.0.1:\(port)/sized/40", maxBytes: (40 << 16) - 1) }
        }
    }

    @Test func nonImageBytesAreRefusedWhateverTheContentType() async throws {
        try await withServer { port, _ in
            let open = OutboundHTTP(policy: OutboundPolicy(allowPrivateNetworks: true))
            let raw = try await open.get(url: "http://127.0.0.1:\(port)/fake.png", maxBytes: 1 << 20)
            #expect(raw.contentType == "image/png")
            await #expect(throws: OutboundError.self) { try await open.getImage(url: "http://127.0.0.1:\(port)/fake.png", maxBytes: 1 << 20) }
            #expect(ImageKind(sniffing: Array("GIF89a....".utf8)) == .gif)
            #expect(ImageKind(sniffing: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
            #expect(ImageKind(sniffing: Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
            #expect(ImageKind(sniffing: Array("RIFF\0\0\0\0WAVE".utf8)) == nil)
        }
    }

    @Test func slowServersTimeOut() async throws {
        let router = Router()
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(30))
            return Response(status: .ok)
        }
        try await TranslatorHTTPTests().withServer(router) { port in
            let open = OutboundHTTP(policy: OutboundPolicy(allowPrivateNetworks: true))
            let started = ContinuousClock.now
            await #expect(throws: OutboundError.self) { try await open.get(url: "http://127.0.0.1:\(port)/slow", maxBytes: 10, timeout: .milliseconds(300)) }
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }
}
