import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Where the REST API and uploads live (Discord or the sandbox).
public struct RESTConfiguration: Sendable {
    /// API base including the version, e.g. `https://discord.com/api/v9`.
    public var apiBase: String
    public var token: String
    public var userAgent: String
    /// Attempts for a rate-limited request before giving up.
    public var maxRetries: Int
    /// Replaces scheme and host of upload URLs (an upload proxy in front of Discord's storage).
    public var uploadBase: String?

    /// Creates a configuration.
    public init(apiBase: String, token: String, userAgent: String, maxRetries: Int = 5, uploadBase: String? = nil) {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.token = token
        self.userAgent = userAgent
        self.maxRetries = maxRetries
        self.uploadBase = uploadBase
    }

    /// `url` with its scheme and host replaced by `uploadBase` (path and query kept).
    public func rewriteUpload(_ url: String) -> String {
        guard let base = uploadBase, !base.isEmpty, let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }
}

/// The REST calls the proxy makes for a user account.
public protocol DiscordRESTClient: Sendable {
    /// `POST /interactions`; Discord answers 204.
    func sendInteraction(_ request: InteractionRequest) async throws
    /// The application-command index of a guild.
    func applicationCommandIndex(guildId: String) async throws -> ApplicationCommandIndex
    /// Step 1+2 of the attachment flow: get slots and PUT the bytes. Returns references for step 3.
    func uploadFiles(channelId: String, files: [(filename: String, contentType: String, bytes: [UInt8])]) async throws
        -> [UploadedAttachmentRef]
    /// Posts a message with already uploaded attachments.
    func createMessage(channelId: String, content: String, attachments: [UploadedAttachmentRef]) async throws -> Message
    /// Adds a reaction as the current user.
    func addReaction(channelId: String, messageId: String, emoji: String) async throws
    /// Opens (or gets) the DM channel with a user; returns its id.
    func openDM(recipientId: String) async throws -> String
    /// The current user (token probe).
    func currentUser() async throws -> DiscordUser
    /// `GET /channels/{id}/messages?after=…&limit=…`: up to `limit` (≤ 100) messages after `after`, oldest first.
    func channelMessages(channelId: String, after: String, limit: Int) async throws -> [Message]
    /// POSTs JSON to a bot activity (e.g. the inpaint editor's submit-job); the user token goes along.
    func postActivity(url: String, body: JSONValue) async throws
    /// Downloads a file from any http(s) URL (image links given to the proxy).
    func download(url: String, maxBytes: Int) async throws -> (bytes: [UInt8], contentType: String?)
}

/// `DiscordRESTClient` over AsyncHTTPClient with 429 handling.
public struct HTTPDiscordREST: DiscordRESTClient {
    public let configuration: RESTConfiguration
    private let http: HTTPClient
    private let limiter: RateLimiter
    private let logger: Logger
    /// Counts calls and 429s by route template.
    private let metrics: DiscordMetrics
    /// `X-Super-Properties`: the client properties as base64 JSON (derived from the User-Agent once).
    private let superProperties: String

    /// Creates a client sharing `http`.
    public init(
        configuration: RESTConfiguration, http: HTTPClient, logger: Logger, limiter: RateLimiter = RateLimiter(), metrics: DiscordMetrics = DiscordMetrics()
    ) {
        self.metrics = metrics
        self.configuration = configuration
        self.superProperties = ((try? DiscordJSON.encode(ClientProperties(userAgent: configuration.userAgent))) ?? Data()).base64EncodedString()
        self.http = http
        self.limiter = limiter
        self.logger = logger
    }


    /// Sends one request with auth and browser headers; retries 429s after `retry_after`.
    func request(
        _ method: HTTPMethod, _ path: String, route: String? = nil, body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> (status: Int, body: ByteBuffer) {
        let routeKey = route ?? "\(method.rawValue) \(path)"
        var attempt = 0
        while true {
            try await limiter.waitTurn(route: routeKey)
            var req = HTTPClientRequest(url: configuration.apiBase + path)
            req.method = method
            req.headers.add(name: "Authorization", value: configuration.token)
            req.headers.add(name: "User-Agent", value: configuration.userAgent)
            req.headers.add(name: "Accept", value: "*/*")
            req.headers.add(name: "X-Discord-Locale", value: "en-US")
            req.headers.add(name: "X-Super-Properties", value: superProperties)
            if let body {
                req.headers.add(name: "Content-Type", value: contentType)
                req.body = .bytes(ByteBuffer(bytes: body))
            }
            let response: HTTPClientResponse
            do { response = try await http.execute(req, timeout: .seconds(30)) } catch {
                metrics.restCall(method: method.rawValue, path: path, status: nil)
                throw error
            }
            let buffer = try await response.body.collect(upTo: 32 << 20)
            let status = Int(response.status.code)
            metrics.restCall(method: method.rawValue, path: path, status: status)
            let remaining = response.headers.first(name: "X-RateLimit-Remaining").flatMap(Int.init)
            let resetAfter = response.headers.first(name: "X-RateLimit-Reset-After").flatMap(Double.init)
            await limiter.record(route: routeKey, remaining: remaining, resetAfter: resetAfter)
            if status == 429 {
                let parsed = try? JSONDecoder().decode(DiscordErrorBody.self, from: Data(buffer.readableBytesView))
                let retryAfter = parsed?.retry_after ?? response.headers.first(name: "Retry-After").flatMap(Double.init) ?? 1
                let global = parsed?.global ?? (response.headers.first(name: "X-RateLimit-Global") == "true")
                await limiter.recordLimited(route: routeKey, retryAfter: retryAfter, global: global)
                attempt += 1
                logger.info("discord rate limited", metadata: ["route": "\(routeKey)", "retry_after": "\(retryAfter)"])
                if attempt >= configuration.maxRetries { throw DiscordError.rateLimited(retryAfter: retryAfter) }
                continue
            }
            if status >= 400 {
                let parsed = try? JSONDecoder().decode(DiscordErrorBody.self, from: Data(buffer.readableBytesView))
                throw DiscordError.http(
                    status: status, code: parsed?.code,
                    message: parsed?.message ?? String(buffer: buffer).prefix(200).description)
            }
            return (status, buffer)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    public func sendInteraction(_ request: InteractionRequest) async throws {
        _ = try await self.request(.POST, "/interactions", body: Array(try DiscordJSON.encode(request)))
    }

    public func applicationCommandIndex(guildId: String) async throws -> ApplicationCommandIndex {
        let (_, body) = try await request(.GET, "/guilds/\(guildId)/application-command-index")
        return try decode(ApplicationCommandIndex.self, body)
    }

    public func uploadFiles(channelId: String, files: [(filename: String, contentType: String, bytes: [UInt8])]) async throws
        -> [UploadedAttachmentRef]
    {
        struct SlotsRequest: Encodable { var files: [UploadRequestFile] }
        struct SlotsResponse: Decodable { var attachments: [UploadSlot] }
        let reqFiles = files.enumerated().map { i, f in UploadRequestFile(filename: f.filename, file_size: f.bytes.count, id: String(i)) }
        let (_, body) = try await request(
            .POST, "/channels/\(channelId)/attachments", body: Array(try DiscordJSON.encode(SlotsRequest(files: reqFiles))))
        let slots = try decode(SlotsResponse.self, body).attachments
        var refs: [UploadedAttachmentRef] = []
        for (i, file) in files.enumerated() {
            guard let slot = slots.first(where: { $0.id == String(i) }) else {
                throw DiscordError.protocolViolation("no upload slot for file \(i)")
            }
            // Step 2 goes to the storage host: no Discord auth header.
            var put = HTTPClientRequest(url: configuration.rewriteUpload(slot.upload_url))
            put.method = .PUT
            put.headers.add(name: "Content-Type", value: file.contentType)
            put.headers.add(name: "Content-Length", value: String(file.bytes.count))
            put.headers.add(name: "User-Agent", value: configuration.userAgent)
            put.body = .bytes(ByteBuffer(bytes: file.bytes))
            let response = try await http.execute(put, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw DiscordError.http(status: Int(response.status.code), code: nil, message: "upload failed")
            }
            refs.append(UploadedAttachmentRef(id: String(i), filename: file.filename, uploaded_filename: slot.upload_filename))
        }
        return refs
    }

    public func createMessage(channelId: String, content: String, attachments: [UploadedAttachmentRef]) async throws -> Message {
        struct Body: Encodable {
            var content: String
            var channel_id: String
            var type: Int
            var sticker_ids: [String]
            var attachments: [UploadedAttachmentRef]
        }
        let (_, body) = try await request(
            .POST, "/channels/\(channelId)/messages",
            body: Array(try DiscordJSON.encode(Body(content: content, channel_id: channelId, type: 0, sticker_ids: [], attachments: attachments))))
        return try decode(Message.self, body)
    }

    public func addReaction(channelId: String, messageId: String, emoji: String) async throws {
        let encoded = emoji.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? emoji
        _ = try await request(
            .PUT, "/channels/\(channelId)/messages/\(messageId)/reactions/\(encoded)/@me?location=Message&type=0",
            route: "PUT reactions/\(channelId)")
    }

    public func openDM(recipientId: String) async throws -> String {
        struct Body: Encodable { var recipients: [String] }
        struct Channel: Decodable { var id: String }
        let (_, body) = try await request(.POST, "/users/@me/channels", body: Array(try DiscordJSON.encode(Body(recipients: [recipientId]))))
        return try decode(Channel.self, body).id
    }

    public func postActivity(url: String, body: JSONValue) async throws {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        req.headers.add(name: "User-Agent", value: configuration.userAgent)
        req.headers.add(name: "Authorization", value: configuration.token)
        req.body = .bytes(ByteBuffer(string: body.compactString))
        let response = try await http.execute(req, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw DiscordError.http(status: Int(response.status.code), code: nil, message: String(buffer: buffer).prefix(200).description)
        }
    }

    public func download(url: String, maxBytes: Int) async throws -> (bytes: [UInt8], contentType: String?) {
        var req = HTTPClientRequest(url: url)
        req.headers.add(name: "User-Agent", value: configuration.userAgent)
        let response = try await http.execute(req, timeout: .seconds(30))
        guard (200..<300).contains(Int(response.status.code)) else {
            throw DiscordError.http(status: Int(response.status.code), code: nil, message: "HTTP \(response.status.code)")
        }
        let buffer = try await response.body.collect(upTo: maxBytes)
        return (Array(buffer.readableBytesView), response.headers.first(name: "Content-Type"))
    }

    public func currentUser() async throws -> DiscordUser {
        let (_, body) = try await request(.GET, "/users/@me")
        return try decode(DiscordUser.self, body)
    }

    public func channelMessages(channelId: String, after: String, limit: Int) async throws -> [Message] {
        let (_, body) = try await request(
            .GET, "/channels/\(channelId)/messages?after=\(after)&limit=\(min(100, max(1, limit)))", route: "GET messages/\(channelId)")
        // Discord answers newest first; callers want them in the order they happened.
        return try decode([Message].self, body).sorted { Snowflake.compare($0.id, $1.id) < 0 }
    }
}
