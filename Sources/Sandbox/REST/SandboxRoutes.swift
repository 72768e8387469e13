import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// Discord's REST surface as the sandbox serves it (under /api, /api/v9 and /api/v10), the CDN,
/// the upload host, the gateway socket and a small control API for fault injection.
struct SandboxRoutes: Sendable {
    typealias Context = BasicWebSocketRequestContext
    let world: SandboxWorld
    let catalog: CommandCatalog
    let gateway: SandboxGateway
    let bot: MidjourneyBot
    let submit: @Sendable (BotWork) -> Void
    let logger: Logger

    // MARK: response helpers

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(text: value.compactString, status: status)
    }

    static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
        // discord.py only parses bodies whose Content-Type is exactly application/json.
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func encodable(_ value: some Encodable) -> Response {
        json(text: (try? DiscordJSON.encodeString(value)) ?? "{}")
    }

    static func error(_ status: HTTPResponse.Status, code: Int, message: String) -> Response {
        json(["message": .string(message), "code": .int(Int64(code))], status: status)
    }

    static let noContent = Response(status: .noContent)

    private func authorize(_ request: Request) async -> SandboxUser? {
        guard let token = request.headers[.authorization] else { return nil }
        return await world.user(forToken: token)
    }

    private static let unauthorized = error(.unauthorized, code: 0, message: "401: Unauthorized")
    private static let missingAccess = error(.forbidden, code: 50001, message: "Missing Access")

    /// The caller and the `:channel` of the path when the caller may use it; otherwise the Discord error to answer.
    private func channelAccess(_ request: Request, _ context: Context) async -> Result<(user: SandboxUser, channel: String), ErrorResponse> {
        guard let user = await authorize(request) else { return .failure(ErrorResponse(Self.unauthorized)) }
        let channel = context.parameters.get("channel") ?? ""
        switch await world.access(userId: user.id, channelId: channel) {
        case .allowed: break
        case .unknown: return .failure(ErrorResponse(Self.error(.notFound, code: 10003, message: "Unknown Channel")))
        case .hidden: return .failure(ErrorResponse(Self.missingAccess))
        }
        return .success((user, channel))
    }

    /// A ready error answer carried through `Result`.
    struct ErrorResponse: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    // MARK: registration

    /// The gateway socket (its own listener, as Discord's gateway has its own host).
    func registerGateway(on router: Router<Context>) {
        router.ws("/") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, context in
            try await gateway.serve(query: context.request.uri.query ?? "", inbound: inbound, outbound: outbound)
        }
    }

    /// REST, CDN, uploads and the control API. This listener has no WebSocket upgrade handler: web
    /// clients (curl_cffi) send `Upgrade: h2c` on plain-HTTP requests, which must simply be ignored.
    func register(on router: Router<Context>) {
        router.add(middleware: IgnoredUpgradeMiddleware())
        for prefix in ["/api", "/api/v9", "/api/v10"] {
            let api = router.group(RouterPath(prefix))
            registerAPI(api)
        }
        router.get("/attachments/**") { request, _ in await cdn(request) }
        router.get("/ephemeral-attachments/**") { request, _ in await cdn(request) }
        router.put("/upload/**") { request, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            let body = try await request.body.collect(upTo: 64 << 20)
            let ok = await world.completeUpload(
                uploadFilename: path.removingPercentEncoding ?? path, bytes: Array(body.readableBytesView),
                contentType: request.headers[.contentType] ?? "application/octet-stream")
            return ok ? Response(status: .ok) : Response(status: .notFound)
        }
        if world.configuration.controlRoutes { registerControl(router) }
        registerActivity(router)
    }

    /// The Midjourney activity (`https://<app id>.discordsays.com/…`) is served under `/activity/<app id>/`.
    private func registerActivity(_ router: Router<Context>) {
        router.post("/activity/:app/inpaint/api/submit-job") { request, _ in
            let body = try await request.body.collect(upTo: 16 << 20)
            await world.countActivityPost()
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["customId"]?.stringValue,
                let mask = parsed["mask"]?.stringValue
            else { return Self.json(["success": false, "error": "customId and mask are required"], status: .badRequest) }
            guard await bot.hasIframe(token) else { return Self.json(["success": false, "error": "unknown customId"], status: .notFound) }
            submit(.inpaint(token, mask, parsed["prompt"]?.stringValue ?? ""))
            return Self.json(["success": true])
        }
    }

    private func cdn(_ request: Request) async -> Response {
        guard let file = await world.file(path: request.uri.path) else { return Response(status: .notFound) }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "public, max-age=31536000"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    private func registerAPI(_ api: RouterGroup<Context>) {
        api.get("gateway") { _, _ in
            Self.json(["url": .string(await world.gatewayURL)])
        }
        api.get("gateway/bot") { request, _ in
            guard await authorize(request) != nil else { return Self.unauthorized }
            return Self.json([
                "url": .string(await world.gatewayURL), "shards": 1,
                "session_start_limit": ["total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1],
            ])
        }
        api.get("users/@me") { request, _ in
            guard let user = await authorize(request) else { return Self.unauthorized }
            return Self.json([
                "id": .string(user.id), "username": .string(user.username), "discriminator": "0",
                "global_name": .string(user.username.capitalized), "avatar": nil, "bot": false, "mfa_enabled": false,
                "locale": "en-US", "verified": true, "email": .string("\(user.username)@sandbox.invalid"), "flags": 0,
                "premium_type": 0, "public_flags": 0, "phone": nil, "nsfw_allowed": true, "bio": "", "banner": nil, "accent_color": nil,
            ])
        }
        api.get("users/@me/billing/country-code") { request, _ in
            guard await authorize(request) != nil else { return Self.unauthorized }
            return Self.json(["country_code": "US"])
        }
        api.get("oauth2/applications/@me") { request, _ in
            guard let user = await authorize(request) else { return Self.unauthorized }
            return Self.json([
                "id": .string(user.id), "name": .string(user.username), "icon": nil, "description": "", "bot_public": true,
                "bot_require_code_grant": false, "flags": 0, "owner": ["id": .string(user.id), "username": .string(user.username)],
            ])
        }
        api.get("guilds/:guild") { request, context in
            guard await authorize(request) != nil else { return Self.unauthorized }
            guard context.parameters.get("guild") == SandboxIDs.guildId else { return Self.error(.notFound, code: 10004, message: "Unknown Guild") }
            let guild = await SandboxReady.guild(world: world, memberIds: [])
            return Self.json(guild["properties"] ?? [:])
        }
        api.get("guilds/:guild/channels") { request, context in
            guard await authorize(request) != nil else { return Self.unauthorized }
            let guild = await SandboxReady.guild(world: world, memberIds: [])
            return Self.json(guild["channels"] ?? [])
        }
        api.get("channels/:channel") { request, context in
            let channel: String
            switch await channelAccess(request, context) {
            case .failure(let e): return e.response
            case .success(let access): channel = access.channel
            }
            if let owner = await world.dmOwner(channel) {
                let bot = SandboxReady.bots().first { $0.id == owner.bot }
                return Self.json([
                    "id": .string(channel), "type": 1, "last_message_id": nil, "flags": 0,
                    "recipients": [(try? JSONValue.parse(DiscordJSON.encode(bot))) ?? nil],
                ])
            }
            return Self.json(["id": .string(channel), "type": 0, "guild_id": .string(SandboxIDs.guildId), "name": "mj", "position": 0, "permission_overwrites": []])
        }
        api.get("channels/:channel/messages") { request, context in
            let channel: String
            switch await channelAccess(request, context) {
            case .failure(let e): return e.response
            case .success(let access): channel = access.channel
            }
            let limit = min(100, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 50))
            let list = await world.recentMessages(
                channelId: channel, limit: limit, before: request.uri.queryParameters.get("before"), after: request.uri.queryParameters.get("after"))
            return Self.encodable(list)
        }
        api.get("channels/:channel/messages/:message") { request, context in
            let channel: String
            switch await channelAccess(request, context) {
            case .failure(let e): return e.response
            case .success(let access): channel = access.channel
            }
            guard let msg = await world.message(id: context.parameters.get("message") ?? "", channelId: channel) else {
                return Self.error(.notFound, code: 10008, message: "Unknown Message")
            }
            return Self.encodable(msg)
        }
        api.post("channels/:channel/messages") { request, context in
            switch await channelAccess(request, context) {
            case .failure(let e): return e.response
            case .success(let access): return await createMessage(request, user: access.user, channel: access.channel)
            }
        }
        api.post("channels/:channel/attachments") { request, context in
            if case .failure(let e) = await channelAccess(request, context) { return e.response }
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let files = parsed["files"]?.arrayValue,
                (1...10).contains(files.count)
            else { return Self.formError("files", "BASE_TYPE_REQUIRED", "This field is required") }
            var slots: [JSONValue] = []
            for f in files {
                let name = f["filename"]?.stringValue ?? "file"
                let (url, uploadName) = await world.reserveUpload(filename: name)
                slots.append(["id": f["id"] ?? "0", "upload_url": .string(url), "upload_filename": .string(uploadName)])
            }
            return Self.json(["attachments": .array(slots)])
        }
        api.delete("attachments/**") { request, _ in
            guard await authorize(request) != nil else { return Self.unauthorized }
            return Self.noContent
        }
        api.put("channels/:channel/messages/:message/reactions/:emoji/@me") { request, context in
            let user: SandboxUser
            let channel: String
            switch await channelAccess(request, context) {
            case .failure(let e): return e.response
            case .success(let access): (user, channel) = access
            }
            guard let message = await world.message(id: context.parameters.get("message") ?? "", channelId: channel) else {
                return Self.error(.notFound, code: 10008, message: "Unknown Message")
            }
            let emoji = (context.parameters.get("emoji") ?? "").removingPercentEncoding ?? ""
            submit(.reaction(user, message, emoji))
            return Self.noContent
        }
        api.post("users/@me/channels") { request, _ in
            guard let user = await authorize(request) else { return Self.unauthorized }
            let body = try await request.body.collect(upTo: 1 << 16)
            let parsed = try? JSONValue.parse(Data(body.readableBytesView))
            let recipient = parsed?["recipients"]?.arrayValue?.first?.stringValue ?? parsed?["recipient_id"]?.stringValue ?? ""
            guard let bot = SandboxReady.bots().first(where: { $0.id == recipient }) else {
                return Self.error(.badRequest, code: 50007, message: "Cannot send messages to this user")
            }
            let id = await world.dmChannel(userId: user.id, botId: bot.id)
            return Self.json([
                "id": .string(id), "type": 1, "last_message_id": nil, "flags": 0,
                "recipients": [(try? JSONValue.parse(DiscordJSON.encode(bot))) ?? nil],
            ])
        }
        for path in [
            "guilds/:guild/application-command-index", "channels/:channel/application-command-index",
            "users/@me/application-command-index", "applications/:app/application-command-index",
        ] {
            api.get(RouterPath(path)) { request, _ in
                guard let user = await authorize(request) else { return Self.unauthorized }
                await world.countIndexRead()
                return Self.json(catalog.indexBody(epoch: await world.commandEpoch(userId: user.id)))
            }
        }
        api.get("channels/:channel/application-commands/search") { request, _ in
            guard await authorize(request) != nil else { return Self.unauthorized }
            let q = request.uri.queryParameters
            return Self.json(catalog.search(query: q.get("query"), limit: q.get("limit", as: Int.self) ?? 25))
        }
        api.post("interactions") { request, _ in
            guard let user = await authorize(request) else { return Self.unauthorized }
            return await interaction(request, user: user)
        }
    }

    private static func errorList(_ code: String, _ message: String) -> JSONValue {
        let entry: JSONValue = ["code": .string(code), "message": .string(message)]
        return ["_errors": [entry]]
    }

    static func formError(_ field: String, _ code: String, _ message: String) -> Response {
        json(
            [
                "code": 50035, "message": "Invalid Form Body",
                "errors": .object([(field, errorList(code, message))]),
            ], status: .badRequest)
    }

    /// Reads a JSON body, or the `payload_json` part of a multipart body (plus its file parts).
    private func readPayload(_ request: Request) async throws -> (JSONValue?, [MultipartPart]) {
        let body = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(body.readableBytesView)
        if let ct = request.headers[.contentType], let boundary = Multipart.boundary(contentType: ct) {
            let parts = Multipart.parse(bytes, boundary: boundary) ?? []
            let payload = parts.first { $0.name == "payload_json" }.flatMap { try? JSONValue.parse(Data($0.body)) }
            return (payload, parts.filter { $0.name != "payload_json" })
        }
        return (try? JSONValue.parse(Data(bytes)), [])
    }

    private func createMessage(_ request: Request, user: SandboxUser, channel: String) async -> Response {
        guard let (payload, files) = try? await readPayload(request), let payload else {
            return Self.error(.badRequest, code: 50109, message: "The request body contains invalid JSON.")
        }
        var attachments: [Attachment] = []
        for ref in payload["attachments"]?.arrayValue ?? [] {
            if let uploaded = ref["uploaded_filename"]?.stringValue {
                guard let file = await world.takeUpload(uploaded) else {
                    return Self.error(.badRequest, code: 50146, message: "Uploaded file not found.")
                }
                let name = ref["filename"]?.stringValue ?? "file"
                attachments.append(await world.storeAttachment(channelId: channel, filename: name, bytes: file.bytes, contentType: file.contentType, width: nil, height: nil))
            }
        }
        for part in files where part.filename != nil {
            attachments.append(
                await world.storeAttachment(
                    channelId: channel, filename: part.filename ?? "file", bytes: part.body, contentType: part.contentType ?? "application/octet-stream",
                    width: nil, height: nil))
        }
        let content = payload["content"]?.stringValue ?? ""
        guard !content.isEmpty || !attachments.isEmpty else { return Self.error(.badRequest, code: 50006, message: "Cannot send an empty message") }
        guard content.count <= 4000 else { return Self.formError("content", "BASE_TYPE_MAX_LENGTH", "Must be 4000 or fewer in length.") }
        let message = Message(
            id: await world.snowflake(), channel_id: channel, guild_id: await world.isGuildChannel(channel) ? SandboxIDs.guildId : nil,
            author: user.discordUser, content: content, timestamp: TextFormat.discordTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000)), type: 0, flags: 0,
            nonce: payload["nonce"]?.stringValue ?? payload["nonce"]?.intValue.map { String($0) }, attachments: attachments)
        await world.create(message)
        return Self.encodable(message)
    }

    /// Validates `POST /interactions` like Discord (application, command id + version, message,
    /// custom_id) and hands it to the bots; answers 204.
    private func interaction(_ request: Request, user: SandboxUser) async -> Response {
        guard let (payloadOpt, _) = try? await readPayload(request), let payload = payloadOpt else {
            return Self.error(.badRequest, code: 50109, message: "The request body contains invalid JSON.")
        }
        var limited = await world.has(.rateLimitStorm, userId: user.id)
        if !limited { limited = await world.takeFault(userId: user.id, among: [.rateLimit]) != nil }
        if limited {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.retryAfter] = "1"
            headers[HTTPField.Name("X-RateLimit-Global")!] = "false"
            headers[HTTPField.Name("X-RateLimit-Scope")!] = "user"
            return Response(
                status: .tooManyRequests, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: "{\"message\":\"You are being rate limited.\",\"retry_after\":0.2,\"global\":false}")))
        }
        guard let type = payload["type"]?.intValue, [2, 3, 5].contains(type) else { return Self.formError("type", "BASE_TYPE_REQUIRED", "This field is required") }
        guard let appId = payload["application_id"]?.stringValue,
            [SandboxIDs.midjourney, SandboxIDs.niji, SandboxIDs.insightFace].contains(appId)
        else { return Self.error(.notFound, code: 10002, message: "Unknown Application") }
        guard let channelId = payload["channel_id"]?.stringValue else { return Self.error(.notFound, code: 10003, message: "Unknown Channel") }
        switch await world.access(userId: user.id, channelId: channelId) {
        case .allowed: break
        case .unknown: return Self.error(.notFound, code: 10003, message: "Unknown Channel")
        case .hidden: return Self.missingAccess
        }
        // The nonce is optional for Discord; it is echoed when present (string or integer).
        let nonce = payload["nonce"]?.stringValue ?? payload["nonce"]?.intValue.map { String($0) } ?? ""
        let data = payload["data"] ?? [:]
        let requestedSession = payload["session_id"]?.stringValue ?? ""
        let liveSession = await world.hasSession(requestedSession, userId: user.id) ? requestedSession : nil
        var interaction = BotInteraction(
            id: await world.snowflake(), type: Int(type), applicationId: appId, guildId: payload["guild_id"]?.stringValue,
            channelId: channelId, sessionId: liveSession, nonce: nonce.isEmpty ? nil : nonce, user: user, commandName: nil,
            options: [:], files: [:], customId: nil, message: nil, data: data)
        switch type {
        case 2:
            guard let commandId = data["id"]?.stringValue, let command = catalog.command(appId: appId, id: commandId) else {
                return Self.error(.notFound, code: 10063, message: "Unknown application command")
            }
            guard data["version"]?.stringValue == CommandCatalog.version(command.version, epoch: await world.commandEpoch(userId: user.id)) else {
                await world.countStaleRefusal()
                return Self.formError("data.version", "BASE_TYPE_CHOICES", "Value must be one of the current command versions.")
            }
            interaction.commandName = command.name
            let attachments = data["attachments"]?.arrayValue ?? []
            var pending = (data["options"]?.arrayValue ?? [])
            while let option = pending.popLast() {
                guard let name = option["name"]?.stringValue else { continue }
                if let nested = option["options"]?.arrayValue { pending += nested }
                if option["type"]?.intValue == 11, let index = option["value"]?.intValue {
                    guard let ref = attachments.first(where: { $0["id"]?.stringValue == String(index) }) ?? attachments[safe: Int(index)],
                        let uploaded = ref["uploaded_filename"]?.stringValue, let file = await world.takeUpload(uploaded)
                    else { return Self.error(.badRequest, code: 50146, message: "Uploaded file not found.") }
                    interaction.files[name] = file
                }
                interaction.options[name] = option["value"] ?? .null
            }
        case 3:
            guard let messageId = payload["message_id"]?.stringValue, let message = await world.message(id: messageId, channelId: channelId)
            else { return Self.error(.notFound, code: 10008, message: "Unknown Message") }
            guard let customId = data["custom_id"]?.stringValue,
                message.components.contains(where: { row in (row.components ?? [row]).contains { $0.custom_id == customId } })
            else { return Self.formError("data.custom_id", "COMPONENT_VALIDATION_FAILED", "Component validation failed") }
            interaction.customId = customId
            interaction.message = message
        default:
            interaction.customId = data["custom_id"]?.stringValue
        }
        await world.countInteraction()
        let answered = OneShot<Bool>()
        interaction.answered = answered
        submit(.interaction(interaction))
        // The 204, and word to the bot once it is written (its events must not overtake it).
        return Response(
            status: .noContent,
            body: ResponseBody(contentLength: 0) { writer in
                defer { answered.fulfil(true) }
                try await writer.finish(nil)
            })
    }
}
