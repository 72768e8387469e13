import Crypto
import DiscordKit
import Foundation

/// AWS Signature Version 4 in the `Authorization` header form, for S3-compatible stores.
///
/// No S3 or AWS package is available to this project, so the algorithm is implemented here with
/// swift-crypto, following AWS's published description: a canonical request (method, URI-encoded
/// path, sorted query, sorted lowercase headers, signed header list, payload hash) is hashed into a
/// string to sign, which is signed with a key derived from the secret, the date, the region and the
/// service (`AWS4<secret>` → date → region → service → `aws4_request`, each step HMAC-SHA256).
/// Checked against AWS's own example values in `Tests/ImageMirrorTests/SigV4Tests.swift`.
public struct SigV4Signer: Sendable {
    public var accessKey: String
    public var secretKey: String
    public var region: String
    public var service: String

    /// The SHA-256 of an empty payload (GET, DELETE).
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Creates a signer for one credential scope.
    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }

    /// What is signed: `path` is the canonical (already URI-encoded) path, `query` raw names and
    /// values (encoded while signing), `headers` every header to sign (it must hold `host` and
    /// `x-amz-date`), `payloadHash` the hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var payloadHash: String

        /// Creates a request description.
        public init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The `Authorization` header value for `request` signed at `amzDate` (`yyyyMMdd'T'HHmmss'Z'`).
    public func authorization(for request: Request, amzDate: String) -> String {
        let (canonical, signedHeaders) = Self.canonicalRequest(request)
        let dateStamp = String(amzDate.prefix(8))
        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let toSign = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey(dateStamp: dateStamp)))
        return "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and the `;`-joined signed header names.
    static func canonicalRequest(_ r: Request) -> (String, String) {
        var merged: [String: [String]] = [:]
        for (name, value) in r.headers {
            // Values trimmed, inner runs of spaces collapsed; repeated headers joined by commas.
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed)
        }
        let names = merged.keys.sorted()
        let headerLines: String = names.map { name in name + ":" + (merged[name] ?? []).joined(separator: ",") + "\n" }.joined()
        let signed = names.joined(separator: ";")
        let encoded: [(name: String, value: String)] = r.query.map { (uriEncode($0.0, encodeSlash: true), uriEncode($0.1, encodeSlash: true)) }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        let query: String = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let path: String = r.path.isEmpty ? "/" : r.path
        let canonical: String = [r.method, path, query, headerLines, signed, r.payloadHash].joined(separator: "\n")
        return (canonical, signed)
    }

    /// The string to sign: algorithm, time, scope, and the hex SHA-256 of the canonical request.
    static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(sha256Hex(Array(canonicalRequest.utf8)))"
    }

    /// The signing key of one day: HMAC chain over date, region, service and `aws4_request`.
    func signingKey(dateStamp: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// `date` as `x-amz-date` (UTC, basic ISO 8601).
    public static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else `%XX`
    /// (upper case); `/` kept unless `encodeSlash` (paths keep it, query components do not).
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                out += "%" + TextFormat.hex([byte]).uppercased()
            }
        }
        return out
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lowercase hex of a digest or MAC.
    static func hex(_ bytes: some Sequence<UInt8>) -> String { TextFormat.hex(bytes) }
}
