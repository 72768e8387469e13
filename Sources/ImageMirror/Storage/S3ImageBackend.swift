import Foundation

/// Images as objects `<taskId>/<name>` of an S3-compatible bucket.
public struct S3ImageBackend: ImageBackend {
    public let client: S3Client
    /// Largest object read back.
    public var maxBytes: Int

    /// Creates a backend over `client`.
    public init(client: S3Client, maxBytes: Int) {
        self.client = client
        self.maxBytes = maxBytes
    }

    public func put(key: String, bytes: [UInt8], contentType: String) async throws {
        try await client.put(key: key, bytes: bytes, contentType: contentType)
    }

    public func get(key: String) async throws -> [UInt8]? { try await client.get(key: key, maxBytes: maxBytes)?.bytes }

    public func delete(key: String) async throws { try await client.delete(key: key) }

    /// Lists the bucket page by page and deletes the mirror's objects (keys `<digits>/<name>`) last
    /// modified before `cutoff`; other objects of the bucket are left alone.
    public func deleteOlder(than cutoff: Date) async throws -> Int {
        var token: String?
        var deleted = 0
        repeat {
            let page = try await client.list(continuationToken: token)
            for object in page.objects {
                guard let modified = object.lastModified, modified < cutoff else { continue }
                let parts = object.key.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, ImageName.isValid(taskId: parts[0], name: parts[1]) else { continue }
                try await client.delete(key: object.key)
                deleted += 1
            }
            token = page.nextContinuationToken
        } while token != nil
        return deleted
    }
}
