import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// HTTP for client-given URLs under an `OutboundPolicy`.
///
/// Each hop is checked by the policy and the connection is pinned to the address that was checked
/// (no second DNS lookup a rebinding server could answer differently). GET follows at most
/// `maxRedirects` redirects itself, re-checking every hop; POST follows none. Bodies are capped
/// while streaming. Every failure is an `OutboundError` whose description is generic; the detail
/// goes to the debug log.
public struct OutboundHTTP: Sendable {
    public let policy: OutboundPolicy
    public var userAgent: String
    /// Redirects a GET may follow.
    public var maxRedirects: Int
    /// This proxy's mirrored images: a `/mj/image/{taskId}/{name}` link with a valid signature is read
    /// from the mirror instead of fetched (a task's own `imageUrl` as a describe link or swap URL would
    /// otherwise be refused as a request to the proxy itself).
    public var localImages: (any ImageServing)?
    let logger: Logger

    /// Creates a client for `policy` (strict defaults).
    public init(
        policy: OutboundPolicy = OutboundPolicy(), userAgent: String = "mjproxy", maxRedirects: Int = 3,
        logger: Logger = Logger(label: "mjproxy.outbound")
    ) {
        self.policy = policy
        self.userAgent = userAgent
        self.maxRedirects = maxRedirects
        self.logger = logger
    }

    // MARK: API

    /// GETs `url` (redirects followed and re-checked), reading at most `maxBytes` of body.
    /// `contentType` is the server's claim, not verified.
    public func get(url: String, maxBytes: Int, timeout: Duration = .seconds(30)) async throws -> (bytes: [UInt8], contentType: String?) {
        try await guarded("GET", url) {
            try await withDeadline(timeout) { try await self.follow(url, maxBytes: maxBytes, timeout: timeout) }
        }
    }

    /// GETs an image: the bytes' magic decides the type (PNG, JPEG, GIF, WEBP), anything else is refused.
    public func getImage(url: String, maxBytes: Int, timeout: Duration = .seconds(30)) async throws -> (bytes: [UInt8], kind: ImageKind) {
        if let localImages, let link = OwnImageLink(url),
            case .image(let bytes, _, _) = await localImages.image(taskId: link.taskId, name: link.name, expires: link.expires, signature: link.signature),
            bytes.count <= maxBytes, let kind = ImageKind(sniffing: bytes)
        {
            return (bytes, kind)
        }
        let (bytes, claimed) = try await get(url: url, maxBytes: maxBytes, timeout: timeout)
        guard let kind = ImageKind(sniffing: bytes) else {
            let detail = "not an image (\(bytes.count) bytes, Content-Type \(claimed ?? "none"))"
            logger.debug("outbound request refused", metadata: ["method": "GET", "url": "\(LoggedURL.origin(url))", "detail": "\(detail)"])
            throw OutboundError(detail)
        }
        return (bytes, kind)
    }

    /// POSTs `body` (webhooks); returns the status. Redirects are not followed (a 3xx is returned as is).
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        try await guarded("POST", url) {
            try await withDeadline(timeout) {
                let target = try await self.policy.check(url)
                return try await self.withClient(for: target) { client in
                    var request = HTTPClientRequest(url: target.url.absoluteString)
                    request.method = .POST
                    request.headers.add(name: "User-Agent", value: self.userAgent)
                    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
                    // Read a little of the answer (keeps the connection orderly), never more.
                    _ = try? await Self.read(response.body, maxBytes: 64 << 10)
                    return Int(response.status.code)
                }
            }
        }
    }

    // MARK: hops

    private enum Hop: Sendable {
        case redirect(String?)
        case done(bytes: [UInt8], contentType: String?)
    }

    private func follow(_ start: String, maxBytes: Int, timeout: Duration) async throws -> (bytes: [UInt8], contentType: String?) {
        var current = start
        var redirects = 0
        while true {
            let target = try await policy.check(current)
            let hop = try await withClient(for: target) { client -> Hop in
                var request = HTTPClientRequest(url: target.url.absoluteString)
                request.headers.add(name: "User-Agent", value: self.userAgent)
                request.headers.add(name: "Accept", value: "image/*,*/*;q=0.8")
                let response = try await client.execute(request, timeout: Self.timeAmount(timeout))
                let status = Int(response.status.code)
                if [301, 302, 303, 307, 308].contains(status) { return .redirect(response.headers.first(name: "Location")) }
                guard (200..<300).contains(status) else { throw OutboundError("HTTP \(status) from \(target.host)") }
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
                    throw OutboundError("Content-Length \(length) over the cap of \(maxBytes)")
                }
                let bytes = try await Self.read(response.body, maxBytes: maxBytes)
                return .done(bytes: bytes, contentType: response.headers.first(name: "Content-Type"))
            }
            switch hop {
            case .done(let bytes, let contentType):
                return (bytes, contentType)
            case .redirect(let location):
                redirects += 1
                guard redirects <= maxRedirects else { throw OutboundError("more than \(maxRedirects) redirects") }
                guard let location, let next = URL(string: location, relativeTo: target.url)?.absoluteString else {
                    throw OutboundError("redirect without a usable Location")
                }
                current = next
            }
        }
    }

    /// The body, failing as soon as it grows beyond `maxBytes` (nothing more is read).
    static func read(_ body: HTTPClientResponse.Body, maxBytes: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.readableBytes <= maxBytes else { throw OutboundError("body larger than \(maxBytes) bytes") }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    /// Runs `body` with a client that does not follow redirects, does not decompress, and connects
    /// to the address the policy checked (TLS still verifies the URL's host name).
    private func withClient<T: Sendable>(for target: OutboundPolicy.Target, _ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30)), decompression: .disabled)
        if let address = target.address {
            var overrides = [target.host: address.description]
            if let raw = target.url.host, raw != target.host { overrides[raw] = address.description }
            configuration.dnsOverride = overrides
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, any Error>
        do { result = .success(try await body(client)) } catch { result = .failure(error) }
        try? await client.shutdown()
        return try result.get()
    }

    // MARK: helpers

    /// Runs `body`; every failure becomes an `OutboundError` and its detail is logged at debug level.
    private func guarded<T>(_ method: String, _ url: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as OutboundError {
            logger.debug("outbound request failed", metadata: ["method": "\(method)", "url": "\(LoggedURL.origin(url))", "detail": "\(error.detail)"])
            throw error
        } catch {
            logger.debug("outbound request failed", metadata: ["method": "\(method)", "url": "\(LoggedURL.origin(url))", "detail": "\(error)"])
            throw OutboundError("\(error)")
        }
    }

    /// `body`, or an `OutboundError` when it takes longer than `timeout` (it is cancelled then).
    private func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw OutboundError("timed out after \(timeout)") }
            return value
        }
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        let (seconds, attos) = d.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow, seconds >= 0 else { return .seconds(3600) }
        return .nanoseconds(nanos.partialValue + attos / 1_000_000_000)
    }
}
