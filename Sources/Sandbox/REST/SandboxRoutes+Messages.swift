import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// Message creation and interactions: the two REST calls with bodies a client builds.
extension SandboxRoutes {
    static func errorList(_ code: String, _ message: String) -> JSONValue {
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
    func readPayload(_ request: Request) async throws -> (JSONValue?, [MultipartPart]) {
        let body = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(body.readableBytesView)
        if let ct = request.headers[.contentType], let boundary = Multipart.boundary(contentType: ct) {
            let parts = Multipart.parse(bytes, boundary: boundary) ?? []
            let payload = parts.first { $0.name == "payload_json" }.flatMap { try? JSONValue.parse(Data($0.body)) }
            return (payload, parts.filter { $0.name != "payload_json" })
        }
        return (try? JSONValue.parse(Data(bytes)), [])
    }

    func createMessage(_ request: Request, user: SandboxUser, channel: String) async -> Response {
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
    func interaction(_ request: Request, user: SandboxUser) async -> Response {
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
