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
    static let missingAccess = error(.forbidden, code: 50001, message: "Missing Access")

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
}
