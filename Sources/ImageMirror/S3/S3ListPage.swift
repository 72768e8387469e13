import Foundation

/// One page of a ListObjectsV2 answer: the objects with their modification times, and the token of
/// the next page. S3's XML is small and flat here, so the few elements needed are read by scanning
/// (no XML parser dependency).
public struct S3ListPage: Sendable, Equatable {
    /// An object of the page.
    public struct Object: Sendable, Equatable {
        public var key: String
        public var lastModified: Date?
    }

    public var objects: [Object]
    /// Set when the listing goes on.
    public var nextContinuationToken: String?

    /// Reads a ListObjectsV2 result document.
    public static func parse(_ xml: String) -> S3ListPage {
        var objects: [Object] = []
        for block in elements("Contents", in: xml) {
            guard let key = elements("Key", in: block).first else { continue }
            let modified = elements("LastModified", in: block).first.flatMap(parseDate)
            objects.append(Object(key: unescape(key), lastModified: modified))
        }
        let truncated = elements("IsTruncated", in: xml).first == "true"
        let token = truncated ? elements("NextContinuationToken", in: xml).first.map(unescape) : nil
        return S3ListPage(objects: objects, nextContinuationToken: token)
    }

    /// The S3 error code of an error document (`<Code>NoSuchKey</Code>`).
    static func errorCode(_ xml: String) -> String? { elements("Code", in: xml).first }

    /// The inner text of every `<name>…</name>` in `xml`, in order.
    static func elements(_ name: String, in xml: String) -> [String] {
        var found: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// The five predefined XML entities (keys and tokens are escaped in S3's answers).
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// ISO 8601 with or without fractional seconds (`2024-05-01T12:00:00.000Z`).
    static func parseDate(_ text: String) -> Date? {
        let precise = ISO8601DateFormatter()
        precise.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = precise.date(from: text) { return d }
        return ISO8601DateFormatter().date(from: text)
    }
}
