import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ProxyCore
import Testing

@testable import MJProxy

/// The outbound policy through the proxy: a describe link on a local (non-sandbox) server is refused
/// by default with a generic failReason, and downloaded once private networks are allowed; the
/// configuration keys and their errors.
@Suite struct OutboundFlowTests {
    /// A server with one PNG and one HTML page claiming to be a PNG.
    static func imageServer() throws -> Router<BasicRequestContext> {
        let png = try #require(Data(base64Encoded: TestImages.png(seed: "outbound")))
        let router = Router()
        router.get("/picture") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.get("/fake.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(string: "<html></html>")))
        }
        return router
    }

    @Test func localLinksAreRefusedByDefault() async throws {
        try await withLocalServer(try Self.imageServer()) { port in
            try await TestProxy.with { proxy in
                var reasons: [String] = []
                // A listening port and a closed one: the same failReason, naming neither.
                for link in ["http://127.0.0.1:\(port)/picture", "http://127.0.0.1:1/picture", "http://[::1]:\(port)/picture"] {
                    let answer = try await proxy.post("/mj/submit/describe", #"{"link":"\#(link)"}"#)
                    let task = try await proxy.waitFinished(try #require(answer["result"]?.stringValue, "\(answer.compactString)")).task
                    #expect(task["status"]?.stringValue == "FAILURE", "\(task.compactString)")
                    reasons.append(task["failReason"]?.stringValue ?? "")
                }
                #expect(Set(reasons).count == 1, "\(reasons)")
                #expect(reasons[0].contains(OutboundError.genericDescription))
                #expect(!reasons[0].contains("\(port)") && !reasons[0].contains("127.0.0.1"))
            }
        }
    }

    @Test func privateNetworksCanBeAllowed() async throws {
        try await withLocalServer(try Self.imageServer()) { port in
            let config = TestProxy.config { $0.outboundAllowPrivateNetworks = true }
            try await TestProxy.with(config) { proxy in
                let answer = try await proxy.post("/mj/submit/describe", #"{"link":"http://127.0.0.1:\#(port)/picture"}"#)
                let task = try await proxy.waitFinished(try #require(answer["result"]?.stringValue)).task
                #expect(task["status"]?.stringValue == "SUCCESS", "\(task.compactString)")
                // Not an image, whatever the Content-Type says.
                let fake = try await proxy.post("/mj/submit/describe", #"{"link":"http://127.0.0.1:\#(port)/fake.png"}"#)
                let refused = try await proxy.waitFinished(try #require(fake["result"]?.stringValue)).task
                #expect(refused["status"]?.stringValue == "FAILURE", "\(refused.compactString)")
                // The proxy's own API is no download source either.
                let own = try await proxy.post("/mj/submit/describe", #"{"link":"\#(proxy.baseURL)/mj/task/list"}"#)
                let ownTask = try await proxy.waitFinished(try #require(own["result"]?.stringValue)).task
                #expect(ownTask["status"]?.stringValue == "FAILURE", "\(ownTask.compactString)")
            }
        }
    }

    @Test func configurationKeys() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
        try "outbound:\n  allowPrivateNetworks: true\n  allowHosts: [images.lan, 10.0.0.5]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let c = try ConfigLoader.load(path: path, environment: [:])
        #expect(c.outboundAllowPrivateNetworks)
        #expect(c.outboundAllowHosts == ["images.lan", "10.0.0.5"])
        let defaults = try ConfigLoader.load(path: nil, environment: [:])
        #expect(!defaults.outboundAllowPrivateNetworks)
        let env = try ConfigLoader.load(
            path: nil, environment: ["MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true", "MJPROXY_OUTBOUND_ALLOW_HOSTS": "a.lan, b.lan"])
        #expect(env.outboundAllowPrivateNetworks)
        #expect(env.outboundAllowHosts == ["a.lan", "b.lan"])
        func error(_ yaml: String, env: [String: String] = [:]) throws -> String {
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try ConfigLoader.load(path: path, environment: env)
                return "no error"
            } catch let e as ConfigError {
                return e.description
            }
        }
        #expect(try error("outbound:\n  allowPrivate: true\n").contains("outbound.allowPrivate: unknown key"))
        #expect(try error("outbound:\n  allowPrivateNetworks: maybe\n").contains("outbound.allowPrivateNetworks: must be true or false"))
        #expect(try error("outbound:\n  allowHosts: x.lan\n").contains("outbound.allowHosts: must be a list"))
        #expect(try error("outbound:\n  allowHosts: [\"http://x.lan/\"]\n").contains("outbound.allowHosts[0]"))
        #expect(try error("{}", env: ["MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS": "perhaps"]).contains("MJPROXY_OUTBOUND_ALLOW_PRIVATE_NETWORKS"))
    }
}
