import DiscordKit
import ProxyCore

/// The account schemas of the OpenAPI document (contract §6): the view `AccountView` writes (every
/// key always present, secrets masked) and the create/update body `AccountInput` reads.
enum OpenAPIAccountSchemas {
    /// `GET /mj/account/list` items and `GET /mj/account/{id}/fetch`.
    static var view: JSONValue {
        let modes = SpeedMode.allCases.map(\.rawValue)
        let bots = [BotType.midJourney, .nijiJourney].map(\.rawValue)
        let properties: [(String, JSONValue)] = [
            ("id", OAS.string()),
            ("name", OAS.string("The remark, else the id.")),
            ("guildId", OAS.string()),
            ("channelId", OAS.string()),
            ("userToken", OAS.string("Masked: the first 6 characters + `***`.", pattern: "\\*\\*\\*$")),
            ("userAgent", OAS.string()),
            ("enable", OAS.boolean()),
            ("status", OAS.string(enumValues: ["CONNECTED", "CONNECTING", "DISCONNECTED", "DISABLED"])),
            ("disabledReason", OAS.string(nullable: true)),
            ("remark", OAS.string()),
            ("weight", OAS.integer(minimum: 1, maximum: 100)),
            ("coreSize", OAS.integer(minimum: 1, maximum: 12)),
            ("queueSize", OAS.integer(minimum: 0, maximum: 100)),
            ("timeoutMinutes", OAS.number(minimum: 1, maximum: 60)),
            ("mjBotChannelId", OAS.string(nullable: true)),
            ("nijiBotChannelId", OAS.string(nullable: true)),
            ("remixAutoSubmit", OAS.boolean()),
            ("mode", OAS.string(enumValues: modes, nullable: true)),
            ("nijiMode", OAS.string(enumValues: modes, nullable: true)),
            ("mjRemix", OAS.boolean(nullable: true)),
            ("nijiRemix", OAS.boolean(nullable: true)),
            ("version", OAS.string(nullable: true)),
            ("subscribePlan", OAS.string(nullable: true)),
            ("fastTimeRemaining", OAS.string(nullable: true)),
            ("runningCount", OAS.integer(minimum: 0)),
            ("queueCount", OAS.integer(minimum: 0)),
            ("dateCreated", OAS.integer("Epoch milliseconds.")),
            ("properties", ["type": "object", "description": "Raw `/info` values.", "additionalProperties": ["type": "string"]]),
            ("state", OAS.string("mjproxy's lifecycle state.", enumValues: ["CONNECTING", "READY", "PAUSED_FOR_VERIFICATION", "DISABLED"])),
            ("nijiVersion", OAS.string(nullable: true)),
            ("jobsToday", OAS.integer(minimum: 0)),
            ("lastError", OAS.string(nullable: true)),
            ("lastConnect", OAS.integer(nullable: true)),
            ("origin", OAS.string("Where the account comes from.", enumValues: ["file", "api", "sandbox"])),
            ("botTypes", OAS.array(OAS.string(enumValues: bots))),
            ("allowedModes", OAS.array(OAS.string(enumValues: modes))),
            ("fixedMode", OAS.string(enumValues: modes, nullable: true)),
            ("dailyLimit", OAS.integer(nullable: true)),
            ("workWindow", OAS.string(nullable: true)),
            ("minSubmitInterval", OAS.number(minimum: 0)),
            ("subChannels", OAS.array(OAS.string())),
            ("proxy", OAS.string("Password masked as `***`.", nullable: true)),
        ]
        return OAS.object(properties, required: properties.map(\.0), additional: false)
    }

    /// The create/update body: every field optional on update; `guildId`, `channelId`, `userToken` required on create.
    static var input: JSONValue {
        let modes = SpeedMode.allCases.map(\.rawValue)
        let snowflake = OpenAPISchemas.snowflakePattern
        return OAS.object(
            [
                ("id", OAS.string("Account id (default the channel id); at most 64 characters, no `/`.", pattern: "^[^/]{1,64}$")),
                ("guildId", OAS.string("17–20 digits.", pattern: snowflake)),
                ("channelId", OAS.string("17–20 digits.", pattern: snowflake)),
                ("userToken", OAS.string("The Discord user token; a masked token sent back unchanged is ignored.")),
                ("userAgent", OAS.string(maxLength: 1024)),
                ("enable", OAS.boolean()),
                ("coreSize", OAS.integer(minimum: 1, maximum: 12)),
                ("queueSize", OAS.integer(minimum: 0, maximum: 100)),
                ("timeoutMinutes", OAS.number(minimum: 1, maximum: 60)),
                ("remark", OAS.string()),
                ("weight", OAS.integer(minimum: 1, maximum: 100)),
                ("mjBotChannelId", OAS.string("17–20 digits; needed by image-seed.", pattern: snowflake)),
                ("nijiBotChannelId", OAS.string(pattern: snowflake)),
                ("remixAutoSubmit", OAS.boolean()),
                ("botTypes", OAS.array(OAS.string(enumValues: [BotType.midJourney, .nijiJourney].map(\.rawValue)), minItems: 1)),
                ("allowedModes", OAS.array(OAS.string(enumValues: modes))),
                ("fixedMode", OAS.string(enumValues: modes)),
                ("dailyLimit", OAS.integer(minimum: 0, maximum: 1_000_000)),
                ("workWindow", OAS.string("`HH:MM-HH:MM` (UTC, may wrap midnight).", pattern: "^[0-9]{1,2}:[0-9]{2}-[0-9]{1,2}:[0-9]{2}$")),
                ("minSubmitInterval", OAS.number(minimum: 0, maximum: 86_400)),
                ("subChannels", OAS.array(OAS.string(pattern: snowflake))),
                ("proxy", OAS.string("`http://`, `https://`, `socks5://` or `socks5h://` URL.")),
            ],
            description: "Out of range or malformed values answer code 4 (V39); missing required ones V34.")
    }

    /// A create body example (a sandbox token).
    static let createExample: JSONValue = [
        "id": "openapi-example", "guildId": "1172000000000000001", "channelId": "1172000000000000009", "userToken": "sandbox-token-9",
        "remark": "created from the OpenAPI example", "coreSize": 2, "queueSize": 5,
    ]
}
