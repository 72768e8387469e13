import Foundation

/// A slash command as listed in the application-command index.
public struct ApplicationCommand: Codable, Sendable, Equatable {
    public var id: String
    public var application_id: String?
    public var version: String
    public var name: String
    public var type: Int?
    public var description: String?

    /// Creates a command entry.
    public init(id: String, application_id: String?, version: String, name: String, type: Int?, description: String?) {
        self.id = id
        self.application_id = application_id
        self.version = version
        self.name = name
        self.type = type
        self.description = description
    }
}

/// Body of `GET …/application-command-index`.
public struct ApplicationCommandIndex: Codable, Sendable {
    public var application_commands: [ApplicationCommand]
    public var version: String?
}

/// One file of `POST /channels/{id}/attachments`.
public struct UploadRequestFile: Codable, Sendable {
    public var filename: String
    public var file_size: Int
    public var id: String
    /// Creates an upload request entry.
    public init(filename: String, file_size: Int, id: String) {
        self.filename = filename
        self.file_size = file_size
        self.id = id
    }
}

/// One upload slot answered by `POST /channels/{id}/attachments`.
public struct UploadSlot: Codable, Sendable {
    public var id: String
    public var upload_url: String
    public var upload_filename: String
    /// Creates a slot.
    public init(id: String, upload_url: String, upload_filename: String) {
        self.id = id
        self.upload_url = upload_url
        self.upload_filename = upload_filename
    }
}

/// Reference to an uploaded file inside an interaction or message body.
public struct UploadedAttachmentRef: Codable, Sendable {
    public var id: String
    public var filename: String
    public var uploaded_filename: String
    /// Creates a reference.
    public init(id: String, filename: String, uploaded_filename: String) {
        self.id = id
        self.filename = filename
        self.uploaded_filename = uploaded_filename
    }
}

/// The body of `POST /interactions` (types 2, 3 and 5).
public struct InteractionRequest: Codable, Sendable {
    public var type: Int
    public var application_id: String
    public var guild_id: String?
    public var channel_id: String
    public var message_id: String?
    public var message_flags: Int?
    public var session_id: String
    public var nonce: String
    public var data: JSONValue
    public var analytics_location: String?

    /// Creates a request.
    public init(
        type: Int, application_id: String, guild_id: String?, channel_id: String, message_id: String? = nil,
        message_flags: Int? = nil, session_id: String, nonce: String, data: JSONValue, analytics_location: String? = nil
    ) {
        self.type = type
        self.application_id = application_id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.message_id = message_id
        self.message_flags = message_flags
        self.session_id = session_id
        self.nonce = nonce
        self.data = data
        self.analytics_location = analytics_location
    }

    /// A slash-command invocation (type 2).
    public static func command(
        _ command: ApplicationCommand, applicationId: String, guildId: String?, channelId: String, sessionId: String,
        nonce: String, options: [JSONValue], attachments: [UploadedAttachmentRef] = []
    ) -> InteractionRequest {
        let atts: [JSONValue] = attachments.map {
            ["id": .string($0.id), "filename": .string($0.filename), "uploaded_filename": .string($0.uploaded_filename)]
        }
        let data: JSONValue = [
            "version": .string(command.version), "id": .string(command.id), "name": .string(command.name), "type": 1,
            "options": .array(options), "attachments": .array(atts),
        ]
        return InteractionRequest(
            type: 2, application_id: applicationId, guild_id: guildId, channel_id: channelId, session_id: sessionId,
            nonce: nonce, data: data)
    }

    /// A button press (type 3).
    public static func button(
        customId: String, applicationId: String, guildId: String?, channelId: String, messageId: String, messageFlags: Int,
        sessionId: String, nonce: String
    ) -> InteractionRequest {
        InteractionRequest(
            type: 3, application_id: applicationId, guild_id: guildId, channel_id: channelId, message_id: messageId,
            message_flags: messageFlags, session_id: sessionId, nonce: nonce,
            data: ["component_type": 2, "custom_id": .string(customId)])
    }

    /// A modal submit (type 5) with one text input.
    public static func modalSubmit(
        interactionId: String, modalCustomId: String, inputCustomId: String, value: String, applicationId: String,
        guildId: String?, channelId: String, sessionId: String, nonce: String
    ) -> InteractionRequest {
        let input: JSONValue = ["type": 4, "custom_id": .string(inputCustomId), "value": .string(value)]
        let data: JSONValue = [
            "id": .string(interactionId), "custom_id": .string(modalCustomId),
            "components": [["type": 1, "components": [input]]],
        ]
        return InteractionRequest(
            type: 5, application_id: applicationId, guild_id: guildId, channel_id: channelId, session_id: sessionId,
            nonce: nonce, data: data)
    }
}

/// Discord's error body.
public struct DiscordErrorBody: Codable, Sendable {
    public var code: Int?
    public var message: String?
    public var retry_after: Double?
    public var global: Bool?
    /// Creates an error body.
    public init(code: Int?, message: String?, retry_after: Double? = nil, global: Bool? = nil) {
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.global = global
    }
}

/// Snowflake helpers (Discord epoch 2015-01-01).
public enum Snowflake {
    /// Discord's epoch in ms.
    public static let epoch: Int64 = 1_420_070_400_000

    /// A snowflake for `milliseconds` (epoch ms) with the given low bits.
    public static func make(milliseconds: Int64, increment: Int64) -> String {
        String(((milliseconds - epoch) << 22) | (increment & 0x3FFFFF))
    }

    /// Orders two snowflakes numerically (-1, 0, 1) without converting them (any length of digits).
    public static func compare(_ a: String, _ b: String) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        return a == b ? 0 : (a < b ? -1 : 1)
    }

    /// The creation time of a snowflake in epoch ms.
    public static func milliseconds(of id: String) -> Int64? {
        guard let v = Int64(id) else { return nil }
        return (v >> 22) + epoch
    }
}
