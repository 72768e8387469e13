import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The few S3 operations the image mirror needs (PUT, GET, DELETE object; ListObjectsV2; create
/// bucket), each signed with `SigV4Signer`. Path-style (`endpoint/bucket/key`) or virtual-hosted
/// (`bucket.endpoint/key`) addressing. Errors carry the status and S3's code, never a key.
public struct S3Client: Sendable {
    public let settings: S3Settings
    let http: HTTPClient
    let signer: SigV4Signer
    /// Longest time one request may take.
    public var timeout: TimeAmount = .seconds(60)

    /// Creates a client over `http` (the caller owns and shuts it down).
    public init(settings: S3Settings, http: HTTPClient) {
        self.settings = settings
        self.http = http
        signer = SigV4Signer(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
    }

    /// Stores an object.
    public func put(key: String, bytes: [UInt8], contentType: String) async throws {
        let response = try await send("PUT", key: key, body: bytes, headers: [("Content-Type", contentType)])
        try await expectSuccess(response, "PUT")
        try await drain(response)
    }

    /// An object's bytes and stored Content-Type, or nil when there is no such key. Reads at most `maxBytes`.
    public func get(key: String, maxBytes: Int) async throws -> (bytes: [UInt8], contentType: String?)? {
        let response = try await send("GET", key: key)
        if response.status == .notFound {
            try await drain(response)
            return nil
        }
        try await expectSuccess(response, "GET")
        var bytes: [UInt8] = []
        for try await chunk in response.body {
            guard bytes.count + chunk.readableBytes <= maxBytes else { throw S3Error(operation: "GET", status: 200, code: "object larger than \(maxBytes) bytes") }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return (bytes, response.headers.first(name: "Content-Type"))
    }

    /// Removes an object (no error when it does not exist).
    public func delete(key: String) async throws {
        let response = try await send("DELETE", key: key)
        if response.status == .notFound { return try await drain(response) }
        try await expectSuccess(response, "DELETE")
        try await drain(response)
    }

    /// One page of the bucket's objects under `prefix`.
    public func list(prefix: String = "", continuationToken: String? = nil) async throws -> S3ListPage {
        var query = [("list-type", "2")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send("GET", key: nil, query: query)
        try await expectSuccess(response, "LIST")
        let body = try await response.body.collect(upTo: 16 << 20)
        return S3ListPage.parse(String(buffer: body))
    }

    /// Creates the bucket (first-time set-ups and tests); an existing bucket of the caller is fine.
    public func createBucket() async throws {
        let response = try await send("PUT", key: nil)
        if response.status == .conflict { return try await drain(response) }
        try await expectSuccess(response, "CREATE BUCKET")
        try await drain(response)
    }

    // MARK: requests

    /// Scheme, host (with a non-default port) and base path of the endpoint.
    private func endpointParts() throws -> (scheme: String, host: String, basePath: String) {
        guard let url = URL(string: settings.endpoint), let scheme = url.scheme, let host = url.host else {
            throw S3Error(operation: "configure", status: 0, code: "endpoint is not a URL")
        }
        let hostPort = url.port.map { "\(host):\($0)" } ?? host
        let path = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        return (scheme, hostPort, path)
    }

    /// Signs and sends one request. `key` nil addresses the bucket itself.
    private func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: [UInt8] = [], headers extra: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        let (scheme, endpointHost, basePath) = try endpointParts()
        let encodedKey = key.map { "/" + SigV4Signer.uriEncode($0, encodeSlash: false) } ?? ""
        let host: String
        let path: String
        if settings.pathStyle {
            host = endpointHost
            path = basePath + "/" + SigV4Signer.uriEncode(settings.bucket, encodeSlash: true) + encodedKey
        } else {
            host = settings.bucket + "." + endpointHost
            path = basePath + (encodedKey.isEmpty ? "/" : encodedKey)
        }
        let payloadHash = SigV4Signer.sha256Hex(body)
        let amzDate = SigV4Signer.amzDate(Date())
        var signed = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
        signed += extra.map { ($0.0.lowercased(), $0.1) }
        let authorization = signer.authorization(
            for: SigV4Signer.Request(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash), amzDate: amzDate)
        let queryText = query.map { "\(SigV4Signer.uriEncode($0.0, encodeSlash: true))=\(SigV4Signer.uriEncode($0.1, encodeSlash: true))" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: "\(scheme)://\(host)\(path)\(queryText.isEmpty ? "" : "?" + queryText)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed { request.headers.replaceOrAdd(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Authorization", value: authorization)
        if method == "PUT" {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        return try await http.execute(request, timeout: timeout)
    }

    /// Reads (and drops) a small answer body, so the connection can be reused.
    private func drain(_ response: HTTPClientResponse) async throws { _ = try await response.body.collect(upTo: 1 << 20) }

    /// Throws an `S3Error` (with S3's error code when the body names one) unless the status is 2xx.
    private func expectSuccess(_ response: HTTPClientResponse, _ operation: String) async throws {
        guard !(200..<300).contains(response.status.code) else { return }
        let body = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        throw S3Error(operation: operation, status: Int(response.status.code), code: S3ListPage.errorCode(body))
    }
}
