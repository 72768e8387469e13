import Foundation
import Testing

@testable import ImageMirror

/// The disk backend (atomic writes, retention) and the ListObjectsV2 reader.
@Suite struct DiskImageBackendTests {
    static func tempDir() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-images-\(UUID().uuidString)").path }

    @Test func writesAtomicallyReadsAndDeletes() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = DiskImageBackend(directory: dir)
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47] + Array(repeating: 7, count: 100_000)
        try await backend.put(key: "1/final.png", bytes: bytes, contentType: "image/png")
        try await backend.put(key: "1/final.png", bytes: bytes.reversed(), contentType: "image/png")
        #expect(try await backend.get(key: "1/final.png") == bytes.reversed())
        // No temporary file is left beside the image.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/1") == ["final.png"])
        #expect(try await backend.get(key: "2/final.png") == nil)
        try await backend.delete(key: "1/final.png")
        try await backend.delete(key: "1/final.png")
        #expect(try await backend.get(key: "1/final.png") == nil)
        #expect(!FileManager.default.fileExists(atPath: dir + "/1"))
    }

    @Test func retentionDeletesOnlyOlderImages() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = DiskImageBackend(directory: dir)
        for key in ["1/final.png", "1/preview-40.png", "2/final.png"] { try await backend.put(key: key, bytes: [1, 2, 3], contentType: "image/png") }
        let old = Date(timeIntervalSinceNow: -40 * 86_400)
        for path in ["/1/final.png", "/1/preview-40.png"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir + path)
        }
        #expect(try await backend.deleteOlder(than: Date(timeIntervalSinceNow: -30 * 86_400)) == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/1"))
        #expect(try await backend.get(key: "2/final.png") == [1, 2, 3])
        #expect(try await backend.deleteOlder(than: Date(timeIntervalSinceNow: -30 * 86_400)) == 0)
    }

    @Test func readsAListObjectsV2Page() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>\
            <IsTruncated>true</IsTruncated><Contents><Key>1/final.png</Key><LastModified>2024-05-01T12:00:00.000Z</LastModified>\
            <Size>3</Size></Contents><Contents><Key>a&amp;b</Key><LastModified>2024-05-02T12:00:00Z</LastModified></Contents>\
            <NextContinuationToken>tok&lt;1</NextContinuationToken></ListBucketResult>
            """
        let page = S3ListPage.parse(xml)
        #expect(page.objects.map(\.key) == ["1/final.png", "a&b"])
        #expect(page.objects.first?.lastModified == Date(timeIntervalSince1970: 1_714_564_800))
        #expect(page.objects.last?.lastModified != nil)
        #expect(page.nextContinuationToken == "tok<1")
        #expect(S3ListPage.parse("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>") == S3ListPage(objects: [], nextContinuationToken: nil))
        #expect(S3ListPage.errorCode("<Error><Code>NoSuchBucket</Code></Error>") == "NoSuchBucket")
    }

    @Test func secretsAreMaskedInDescriptions() {
        let s3 = S3Settings(endpoint: "http://127.0.0.1:9000", bucket: "b", accessKey: "AKIAEXAMPLEKEY", secretKey: "very-secret")
        #expect(!s3.description.contains("very-secret"))
        #expect(!s3.description.contains("AKIAEXAMPLEKEY"))
    }
}
