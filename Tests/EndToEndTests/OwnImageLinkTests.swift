import DiscordKit
import Foundation
import ImageMirror
import Testing

@testable import MJProxy
@testable import ProxyCore

/// A task's own mirrored `imageUrl` works as a describe `link`: read from the mirror (signature checked),
/// not fetched from the proxy itself (which the outbound policy refuses).
@Suite struct OwnImageLinkTests {
    @Test func describeTakesTheProxysOwnImageLink() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-own-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = TestProxy.config {
            $0.images.backend = .disk
            $0.images.directory = dir
            $0.images.signingKey = "own-image-link-key"
        }
        try await TestProxy.with(config) { proxy in
            let id = try await proxy.imagine("a lighthouse to describe")
            let grid = try await ImageMirrorFlowTests.waitMirrored(proxy, id)
            let link = try #require(grid["imageUrl"]?.stringValue)
            #expect(link.contains("/mj/image/\(id)/"))
            let answer = try await proxy.post("/mj/submit/describe", #"{"link":"\#(link)"}"#)
            let describe = try #require(answer["result"]?.stringValue, "\(answer.compactString)")
            let done = try await proxy.waitFinished(describe).task
            #expect(done["status"]?.stringValue == "SUCCESS", "\(done.compactString)")
            // A forged signature is not one of ours: it goes the network way and is refused there.
            let forged = link.replacingOccurrences(of: "sig=", with: "sig=00")
            let refused = try await proxy.post("/mj/submit/describe", #"{"link":"\#(forged)"}"#)
            if let forgedTask = refused["result"]?.stringValue {
                #expect(try await proxy.waitFinished(forgedTask).task["status"]?.stringValue == "FAILURE")
            }
        }
    }

    @Test(arguments: [
        ("https://mj.example.com/mj/image/1732512345678042/final.png?exp=1&sig=ab", "1732512345678042", "final.png", "1", "ab"),
        ("http://127.0.0.1:8080/mj/image/17/preview-46.png?sig=cd", "17", "preview-46.png", nil, "cd"),
    ])
    func parsesOwnLinks(url: String, taskId: String, name: String, expires: String?, signature: String?) throws {
        let link = try #require(OwnImageLink(url))
        #expect(link == OwnImageLink(taskId: taskId, name: name, expires: expires, signature: signature))
    }

    @Test(arguments: [
        "https://cdn.discordapp.com/attachments/1/2/x.png", "ftp://h/mj/image/1/final.png", "https://h/mj/image/1", "https://h/mj/image//final.png",
        "https://h/mj/image/1/final.png/more", "https://h/x/mj/image/1/final.png", "not a url",
    ])
    func refusesOtherURLs(url: String) {
        #expect(OwnImageLink(url) == nil)
    }
}
