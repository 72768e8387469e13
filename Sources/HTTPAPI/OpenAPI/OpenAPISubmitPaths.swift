import DiscordKit
import ProxyCore

/// The submit operations of the OpenAPI document (contract §4): bodies as the controllers read
/// them, every logical outcome answered 200 with the envelope.
enum OpenAPISubmitPaths {
    /// The catalogue entries of this group.
    static var operations: [OpenAPIOperation] {
        [
            submit(
                "/mj/submit/imagine", "imagine", "Imagine (§4.1)",
                fields: [
                    ("prompt", OAS.string("Trimmed; empty → V4; more than 8,192 characters → V7.", example: "Cat --ar 16:9")),
                    ("base64Array", OAS.array(OAS.ref("Image"), "Up to 5 images, uploaded to Discord and prepended to the prompt.", maxItems: 5)),
                    ("base64", OAS.ref("Image")),
                ], required: ["prompt"], botType: true, filter: true,
                example: ["prompt": "Cat --ar 16:9", "botType": "MID_JOURNEY", "state": "u42"]),
            submit(
                "/mj/submit/action", "action", "Press a button of a finished task (§4.7)",
                fields: [
                    ("taskId", taskIdInput),
                    ("customId", OAS.string("From the parent's `buttons`.", example: "MJ::JOB::upsample::1::a7cb1552-f779-4094-9afe-2acf22dae280")),
                    ("chooseSameChannel", OAS.boolean("Any enabled account in the parent's channel instead of the parent's own.")),
                ], required: ["taskId", "customId"], filter: true,
                example: ["taskId": .string(OpenAPIExamples.taskId), "customId": "MJ::JOB::upsample::1::a7cb1552-f779-4094-9afe-2acf22dae280"]),
            submit(
                "/mj/submit/blend", "blend", "Blend 2–5 images (§4.5)",
                fields: [
                    ("base64Array", OAS.array(OAS.ref("Image"), minItems: 2, maxItems: 5)),
                    ("dimensions", OAS.string(enumValues: ["PORTRAIT", "SQUARE", "LANDSCAPE"])),
                ], required: ["base64Array"], botType: true, filter: true,
                example: ["base64Array": [.string(OpenAPIExamples.pngDataURL), .string(OpenAPIExamples.pngDataURL)], "dimensions": "SQUARE"]),
            submit(
                "/mj/submit/describe", "describe", "Describe an image (§4.4)",
                fields: [("base64", OAS.ref("Image")), ("link", OAS.string("http(s) URL of the image, downloaded when the task runs.", format: "uri"))],
                botType: true, filter: true, example: ["base64": .string(OpenAPIExamples.pngDataURL)]),
            submit(
                "/mj/submit/shorten", "shorten", "Shorten a prompt (§4.6)",
                fields: [("prompt", OAS.string(example: "a very long prompt about a lighthouse at dusk"))], required: ["prompt"], botType: true,
                filter: true, example: ["prompt": "a very long prompt about a lighthouse at dusk"]),
            submit(
                "/mj/submit/modal", "modal", "Complete a task that answered code 21 (§4.8)",
                fields: [
                    ("taskId", taskIdInput),
                    ("prompt", OAS.string("Blank → the task's `properties.finalPrompt`.")),
                    ("maskBase64", OAS.string("PNG mask for vary region (black keep, white repaint).")),
                ], required: ["taskId"], hook: false, example: ["taskId": .string(OpenAPIExamples.taskId), "prompt": "Cat --zoom 2"]),
            submit(
                "/mj/submit/change", "change", "Legacy U/V/reroll by task id (§4.2)",
                fields: [
                    ("taskId", taskIdInput),
                    ("action", OAS.string(enumValues: ["UPSCALE", "VARIATION", "REROLL"])),
                    ("index", OAS.integer("1–4 for UPSCALE and VARIATION.", minimum: 1, maximum: 4)),
                ], required: ["taskId", "action"], example: ["taskId": .string(OpenAPIExamples.taskId), "action": "UPSCALE", "index": 1]),
            submit(
                "/mj/submit/simple-change", "simpleChange", "Legacy `<taskId> U2` (§4.3)",
                fields: [("content", OAS.string("`<taskId> <U1-4|V1-4|R>`.", example: "1732512345678042 U2"))],
                example: ["content": "1732512345678042 U2"]),
            upload,
            submit(
                "/mj/insight-face/swap", "swapFace", "InsightFace swap (§4.10)",
                fields: [
                    ("sourceBase64", OAS.ref("Image")), ("sourceUrl", OAS.string(format: "uri")),
                    ("targetBase64", OAS.ref("Image")), ("targetUrl", OAS.string(format: "uri")),
                ], filter: true,
                example: ["sourceBase64": .string(OpenAPIExamples.pngDataURL), "targetBase64": .string(OpenAPIExamples.pngDataURL)]),
        ]
    }

    /// `taskId`: a string, or a JSON integer (its decimal form).
    static var taskIdInput: JSONValue {
        ["type": ["string", "integer"], "description": "The task id (a JSON integer is read as its decimal form).", "examples": [.string(OpenAPIExamples.taskId)]]
    }

    /// A submit operation: its own fields, then the shared ones it reads.
    static func submit(
        _ path: String, _ id: String, _ summary: String, fields: [(String, JSONValue)], required: [String] = [], botType: Bool = false,
        filter: Bool = false, hook: Bool = true, example: JSONValue
    ) -> OpenAPIOperation {
        var properties = fields
        if botType {
            properties.append(("botType", OAS.string("`MID_JOURNEY` (default) or `NIJI_JOURNEY`; aliases `mj`, `niji`.", example: "MID_JOURNEY")))
        }
        if filter { properties.append(("accountFilter", OAS.ref("AccountFilter"))) }
        if hook {
            properties.append(("state", OAS.string("Echoed in the task; at most 1,024 characters.", maxLength: 1024)))
            properties.append(("notifyHook", OAS.string("Absolute http(s) URL for this task's webhooks.", maxLength: 2048, format: "uri")))
        }
        let op = OAS.operation(
            id, tag: "submit", summary: summary,
            description: "Every logical outcome is HTTP 200 with the envelope: code 1/22 (task created), 21 (modal needed), 4 (bad input), 3, 9, 23, 24.",
            body: OAS.body(OAS.object(properties, required: required), example: example),
            responses: [("200", withTaskLinks(OAS.response("The submit envelope.", OAS.ref("SubmitAnswer"), example: OpenAPIExamples.submitted)))])
        return OpenAPIOperation(method: "post", path: path, object: op)
    }

    /// Links from a created task's id (`result`) to the task operations (for clients and stateful testing).
    static func withTaskLinks(_ response: JSONValue) -> JSONValue {
        let id: JSONValue = ["id": "$response.body#/result"]
        let links: JSONValue = [
            "fetch": ["operationId": "fetchTask", "parameters": id],
            "events": ["operationId": "taskEvents", "parameters": id],
            "eventsOfMany": ["operationId": "tasksEvents", "parameters": ["ids": "$response.body#/result"]],
            "cancel": ["operationId": "cancelTask", "parameters": id],
            "imageSeed": ["operationId": "imageSeed", "parameters": id],
        ]
        return .object(response.objectPairs + [("links", links)])
    }

    /// `POST /mj/submit/upload-discord-images` (§4.9): the result is a list of URLs.
    static var upload: OpenAPIOperation {
        let body = OAS.object([
            ("base64Array", OAS.array(OAS.ref("Image"), "1 to 10 images.", minItems: 1, maxItems: 10)),
            ("accountFilter", OAS.ref("AccountFilter")),
            ("filter", OAS.ref("AccountFilter")),
        ], required: ["base64Array"])
        let example: JSONValue = [
            "code": 1, "description": "Submitted successfully",
            "result": ["https://cdn.discordapp.com/attachments/1172000000000000002/1309000000000000001/a.png"], "properties": [:],
        ]
        let op = OAS.operation(
            "uploadDiscordImages", tag: "submit", summary: "Host images in an account's channel (§4.9)",
            body: OAS.body(body, example: ["base64Array": [.string(OpenAPIExamples.pngDataURL)]]),
            responses: [("200", OAS.response("The envelope; `result` holds the attachment URLs.", OAS.ref("UploadAnswer"), example: example))])
        return OpenAPIOperation(method: "post", path: "/mj/submit/upload-discord-images", object: op)
    }
}
