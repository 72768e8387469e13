/// Where an S3-compatible bucket is and how to sign for it (`images.s3.*`).
public struct S3Settings: Sendable, Equatable, CustomStringConvertible {
    /// Base URL of the service, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public var endpoint: String
    public var region: String
    public var bucket: String
    public var accessKey: String
    public var secretKey: String
    /// `endpoint/bucket/key` (MinIO, moto, most self-hosted stores) instead of `bucket.endpoint/key`.
    public var pathStyle: Bool

    /// Creates settings.
    public init(endpoint: String = "", region: String = "us-east-1", bucket: String = "", accessKey: String = "", secretKey: String = "", pathStyle: Bool = true) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.pathStyle = pathStyle
    }

    /// The settings with the keys masked (logs, errors).
    public var description: String {
        "S3(endpoint: \(endpoint), region: \(region), bucket: \(bucket), accessKey: \(accessKey.prefix(4))***, secretKey: ***, pathStyle: \(pathStyle))"
    }
}

/// An S3 request that failed: the HTTP status and S3's error code (never a key or signature).
public struct S3Error: Error, CustomStringConvertible {
    public var operation: String
    public var status: Int
    public var code: String?

    /// Creates an error.
    public init(operation: String, status: Int, code: String?) {
        self.operation = operation
        self.status = status
        self.code = code
    }

    public var description: String { "S3 \(operation) failed: HTTP \(status)\(code.map { " \($0)" } ?? "")" }
}
