import DiscordKit
import ProxyCore

/// `components.schemas` of the OpenAPI document: the answers of contract §2 and §8 (every task key
/// always present, no others), the account view of §6, and the shared inputs of §4. Enumerations
/// come from the model's own enums, so the document follows them.
enum OpenAPISchemas {
    /// Every schema, by name.
    static var all: [(String, JSONValue)] {
        [
            ("Error", error),
            ("SubmitAnswer", submitAnswer),
            ("UploadAnswer", uploadAnswer),
            ("Task", task),
            ("TaskButton", button),
            ("TaskList", OAS.array(OAS.ref("Task"), "A bare array of tasks.")),
            ("AccountFilter", accountFilter),
            ("Image", image),
            ("ImageList", OAS.array(OAS.ref("Image"))),
            ("AccountView", OpenAPIAccountSchemas.view),
            ("AccountInput", OpenAPIAccountSchemas.input),
        ]
    }

    static let taskIdPattern = "^[0-9]{16}$"
    static let snowflakePattern = "^[0-9]{17,20}$"

    /// Every non-200 JSON body (contract §1.4).
    static var error: JSONValue {
        OAS.object(
            [("code", OAS.integer("HTTP status (401, 403, 404, 405, 408), or 4 for bad input.")), ("description", OAS.string())],
            required: ["code", "description"], additional: false, description: "`{\"code\":int,\"description\":string}`")
    }

    /// The submit envelope (contract §2.1, §2.2).
    static var submitAnswer: JSONValue {
        OAS.object(
            [
                (
                    "code",
                    [
                        "type": "integer", "enum": [1, 3, 4, 9, 21, 22, 23, 24],
                        "description": "1 accepted, 22 queued, 21 modal needed, 23 queue full, 24 banned prompt, 4 bad input, 3 no account, 9 system error.",
                    ]
                ),
                ("description", OAS.string()),
                ("result", OAS.string("The new task id (or account id); null on every error.", nullable: true)),
                ("properties", OAS.anyObject("`discordInstanceId`, `numberOfQueues`, `finalPrompt`, `remix`, `promptEn`, `bannedWord`, …")),
            ], required: ["code", "description", "result", "properties"], additional: false)
    }

    /// `upload-discord-images`: `result` is the list of attachment URLs (contract §4.9).
    static var uploadAnswer: JSONValue {
        OAS.object(
            [
                ("code", ["type": "integer", "enum": [1, 3, 4, 9, 23]]),
                ("description", OAS.string()),
                ("result", ["type": ["array", "null"], "items": ["type": "string"], "description": "Attachment URLs in input order; null on errors."]),
                ("properties", OAS.anyObject()),
            ], required: ["code", "description", "result", "properties"], additional: false)
    }

    /// The task object (contract §8.1).
    static var task: JSONValue {
        let modes = SpeedMode.allCases.map(\.rawValue)
        return OAS.object(
            [
                ("id", OAS.string("16-digit id: epoch ms + 3 random digits.", pattern: taskIdPattern, example: "1732512345678042")),
                ("action", OAS.string(enumValues: TaskAction.allCases.map(\.rawValue))),
                ("customId", OAS.string("The button pressed.", nullable: true)),
                ("parentId", OAS.string(nullable: true)),
                ("botType", OAS.string(enumValues: BotType.allCases.map(\.rawValue))),
                ("mode", OAS.string("Requested mode until Midjourney reports the real one.", enumValues: modes, nullable: true)),
                ("status", OAS.string(enumValues: TaskStatus.allCases.map(\.rawValue))),
                ("prompt", OAS.string(nullable: true)),
                ("promptEn", OAS.string("As sent to Discord (translated, image URLs prepended).", nullable: true)),
                ("description", OAS.string(nullable: true)),
                ("state", OAS.string(nullable: true)),
                ("submitTime", OAS.integer("Epoch milliseconds.", minimum: 1)),
                ("startTime", OAS.integer(nullable: true)),
                ("finishTime", OAS.integer(nullable: true)),
                ("imageUrl", OAS.string(nullable: true)),
                ("progress", OAS.string("`0%`, then as reported; `100%` exactly on SUCCESS.", pattern: "^[0-9]{1,3}%$")),
                ("failReason", OAS.string("Empty unless FAILURE or CANCEL.")),
                ("properties", OAS.anyObject("Free map (contract §8.5).")),
                ("buttons", OAS.array(OAS.ref("TaskButton"))),
            ],
            required: [
                "id", "action", "customId", "parentId", "botType", "mode", "status", "prompt", "promptEn", "description", "state", "submitTime",
                "startTime", "finishTime", "imageUrl", "progress", "failReason", "properties", "buttons",
            ], additional: false)
    }

    /// A task button (contract §8.6).
    static var button: JSONValue {
        OAS.object(
            [("customId", OAS.string()), ("emoji", OAS.string()), ("label", OAS.string()), ("type", OAS.integer()), ("style", OAS.integer())],
            required: ["customId", "emoji", "label", "type", "style"], additional: false)
    }

    /// `accountFilter` of the submit bodies (contract §4).
    static var accountFilter: JSONValue {
        OAS.object([
            ("channelId", OAS.string("The account's Discord channel.")),
            ("instanceId", OAS.string("Account id.")),
            ("modes", OAS.array(OAS.string(enumValues: SpeedMode.allCases.map(\.rawValue)), "Ordered; the first an eligible account allows wins.")),
            ("remark", OAS.string("Case-insensitive substring of the account remark.")),
            ("remix", OAS.boolean()),
            ("remixAutoConsidered", OAS.boolean()),
        ])
    }

    /// An image: a data URL or bare base64 of a PNG, JPEG, GIF or WEBP (≤ 4 MB decoded).
    static var image: JSONValue {
        OAS.string(
            "`data:<mime>;base64,<data>` or bare base64; PNG, JPEG, GIF or WEBP by magic bytes; at most 4 MB decoded.",
            example: OpenAPIExamples.pngDataURL)
    }
}

/// Example values shared by the catalogue.
enum OpenAPIExamples {
    /// A 1×1 PNG as a data URL.
    static let pngDataURL =
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    static let taskId = "1732512345678042"
    static let accountId = "1172000000000000002"
    static let submitted: JSONValue = [
        "code": 1, "description": "Submitted successfully", "result": "1732512345678042", "properties": ["discordInstanceId": "1172000000000000002"],
    ]
    static let success: JSONValue = ["code": 1, "description": "Success", "result": "1732512345678042", "properties": [:]]
    static let task: JSONValue = [
        "id": "1732512345678042", "action": "IMAGINE", "customId": nil, "parentId": nil, "botType": "MID_JOURNEY", "mode": "FAST",
        "status": "SUCCESS", "prompt": "cat --ar 16:9", "promptEn": "cat --ar 16:9", "description": "/imagine cat --ar 16:9", "state": "u42",
        "submitTime": 1_732_512_345_678, "startTime": 1_732_512_346_901, "finishTime": 1_732_512_391_230,
        "imageUrl": "https://mj.example.com/mj/image/1732512345678042/final.png?sig=9f2c0e4b7a1d3c5e8f0a2b4c6d8e0f1a", "progress": "100%",
        "failReason": "", "properties": ["discordInstanceId": "1172000000000000002", "messageHash": "a7cb1552-f779-4094-9afe-2acf22dae280"],
        "buttons": [["customId": "MJ::JOB::upsample::1::a7cb1552-f779-4094-9afe-2acf22dae280", "emoji": "", "label": "U1", "type": 2, "style": 2]],
    ]
}
