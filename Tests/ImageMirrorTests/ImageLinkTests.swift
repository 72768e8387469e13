import Foundation
import Testing

@testable import ImageMirror

/// Signed `/mj/image` links, image names, and the signing key kept beside the store.
@Suite struct ImageLinkTests {
    let signer = ImageURLSigner(key: Array("test-signing-key-0123456789".utf8))

    @Test func signaturesCheckOutOnlyForTheirPathAndExpiry() {
        let path = ImageURLSigner.path(taskId: "1732512345678042", name: "final.png")
        let sig = signer.signature(path: path, expires: 1_900_000_000)
        #expect(sig.count == 32)  // 16 bytes, hex
        #expect(signer.isValid(path: path, expires: 1_900_000_000, signature: sig))
        #expect(signer.isValid(path: path, expires: 1_900_000_000, signature: sig.uppercased()))
        #expect(!signer.isValid(path: path, expires: 1_900_000_001, signature: sig))
        #expect(!signer.isValid(path: path, expires: nil, signature: sig))
        #expect(!signer.isValid(path: ImageURLSigner.path(taskId: "1732512345678043", name: "final.png"), expires: 1_900_000_000, signature: sig))
        #expect(!signer.isValid(path: path, expires: 1_900_000_000, signature: String(sig.dropLast())))
        #expect(!ImageURLSigner(key: Array("another-key-0123456789".utf8)).isValid(path: path, expires: 1_900_000_000, signature: sig))
        // Without expiry the message is the path alone (contract §5.8).
        #expect(signer.query(path: path, expires: nil) == "sig=\(signer.signature(path: path, expires: nil))")
    }

    @Test func linksPointAtTheProxyOrTheCDN() {
        let links = ImageLinks(signer: signer, proxyBase: { "https://mj.example.com/" }, cdnBase: nil, lifetime: .seconds(3600))
        let url = links.url(taskId: "1", name: "final.png", now: 1000)
        #expect(url == "https://mj.example.com/mj/image/1/final.png?exp=4600&sig=\(signer.signature(path: "/mj/image/1/final.png", expires: 4600))")
        let cdn = ImageLinks(signer: signer, proxyBase: { "unused" }, cdnBase: "https://img.example.com/mj/", lifetime: nil)
        #expect(cdn.url(taskId: "1", name: "final.png", now: 1000) == "https://img.example.com/mj/1/final.png")
    }

    @Test func onlyTheMirrorsOwnNamesAreValid() {
        #expect(ImageName.isValid(taskId: "1732512345678042", name: "final.png"))
        #expect(ImageName.isValid(taskId: "1", name: "preview-46.webp"))
        #expect(ImageName.isValid(taskId: "1", name: "final.jpg"))
        for (id, name) in [("1", "../final.png"), ("1/..", "final.png"), ("abc", "final.png"), ("1", "final.exe"), ("1", "preview-.png"), ("1", "preview-1234.png"), ("1", "final.png.png"), ("", "final.png")] {
            #expect(!ImageName.isValid(taskId: id, name: name), "\(id)/\(name)")
        }
        #expect(ImageName.make(preview: nil, mimeType: "image/jpeg") == "final.jpg")
        #expect(ImageName.make(preview: 46, mimeType: "image/webp") == "preview-46.webp")
        #expect(ImageName.contentType(of: "final.jpg") == "image/jpeg")
    }

    @Test func theGeneratedKeyIsKeptAcrossStarts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("image-signing.key").path
        let first = ImageURLSigner.loadKey(configured: nil, keyFile: file)
        let second = ImageURLSigner.loadKey(configured: nil, keyFile: file)
        #expect(first.persisted && second.persisted)
        #expect(first.key == second.key && first.key.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(ImageURLSigner.loadKey(configured: "configured-key-123456", keyFile: file).key == Array("configured-key-123456".utf8))
        #expect(!ImageURLSigner.loadKey(configured: nil, keyFile: nil).persisted)
    }
}
