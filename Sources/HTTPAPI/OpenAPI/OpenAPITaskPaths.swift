import DiscordKit
import ProxyCore

/// The task operations of the OpenAPI document (contract §5): fetch, lists, cancel, image seed,
/// the SSE stream, and the mirrored images.
enum OpenAPITaskPaths {
    static let id = OAS.pathParameter("id", "A task id.", example: OpenAPIExamples.taskId)
    static let notFound = ("404", OAS.response("Unknown task.", OAS.ref("Error"), example: ["code": 4, "description": "task not found"]))
    static let badRequest = ("400", OAS.response("Bad input (code 4).", OAS.ref("Error"), example: ["code": 4, "description": "ids must be an array of task ids"]))
    static var taskList: JSONValue { OAS.response("A bare array of tasks.", OAS.ref("TaskList"), example: [OpenAPIExamples.task]) }

    /// The catalogue entries of this group.
    static var operations: [OpenAPIOperation] {
        let ids = OAS.body(
            OAS.object([("ids", OAS.array(["type": ["string", "integer"]], "Task ids (at most `task.maxIdsPerQuery`, default 1,000)."))]),
            example: ["ids": [.string(OpenAPIExamples.taskId)]], required: false)
        let listByCondition = { (path: String, opId: String) in
            OpenAPIOperation(
                method: "post", path: path,
                object: OAS.operation(
                    opId, tag: "tasks", summary: "Tasks by id (§5.2)",
                    description: "Only the requested ids, deduplicated, in request order; unknown ids skipped.", body: ids,
                    responses: [("200", taskList), badRequest]))
        }
        return [
            OpenAPIOperation(
                method: "post", path: "/mj/task/{id}/cancel",
                object: OAS.operation(
                    "cancelTask", tag: "tasks", summary: "Cancel an unfinished task (§5.6)", parameters: [id],
                    responses: [("200", OAS.response("Code 1, or 4 when already finished.", OAS.ref("SubmitAnswer"), example: OpenAPIExamples.success)), notFound])),
            OpenAPIOperation(
                method: "get", path: "/mj/task/{id}/image-seed",
                object: OAS.operation(
                    "imageSeed", tag: "tasks", summary: "The seed of a finished task (§5.5)",
                    description: "Waits at most 25 s; the seed is a string in `result`; not known yet → code 9.", parameters: [id],
                    responses: [
                        ("200", OAS.response("The envelope.", OAS.ref("SubmitAnswer"), example: ["code": 1, "description": "Success", "result": "636646138", "properties": [:]])),
                        notFound,
                    ])),
            OpenAPIOperation(
                method: "get", path: "/mj/task/{id}/fetch",
                object: OAS.operation(
                    "fetchTask", tag: "tasks", summary: "One task (§5.1)", parameters: [id],
                    responses: [("200", OAS.response("The task.", OAS.ref("Task"), example: OpenAPIExamples.task)), notFound])),
            listByCondition("/mj/task/list-by-condition", "listByCondition"),
            listByCondition("/mj/task/list-by-ids", "listByIds"),
            OpenAPIOperation(
                method: "get", path: "/mj/task/list",
                object: OAS.operation(
                    "listTasks", tag: "tasks", summary: "Tasks, newest first (§5.3)",
                    parameters: [
                        OAS.queryParameter("limit", "1–1000 (larger values are clamped), default 100.", schema: OAS.integer(minimum: 1), example: 20),
                        OAS.queryParameter(
                            "before", "A task id: only smaller ids (the next page).", schema: OAS.string(pattern: OpenAPISchemas.taskIdPattern),
                            example: .string(OpenAPIExamples.taskId)),
                    ],
                    responses: [("200", taskList), badRequest])),
            OpenAPIOperation(
                method: "get", path: "/mj/task/queue",
                object: OAS.operation(
                    "taskQueue", tag: "tasks", summary: "Unfinished tasks, oldest first (§5.4)", responses: [("200", taskList)])),
            events(
                "/mj/task/{id}/events", "taskEvents", "Server-Sent Events of one task (§5.7)", parameters: [id],
                lastEventID: "The last sequence seen: a value equal to the current one suppresses the first event."),
            events(
                "/mj/task/events", "tasksEvents", "Server-Sent Events of several tasks",
                parameters: [
                    OAS.queryParameter(
                        "ids", "Task ids, comma-separated or repeated (at most `task.maxIdsPerQuery`); unknown ids skipped.",
                        schema: OAS.string(minLength: 1), required: true, example: .string(OpenAPIExamples.taskId))
                ], lastEventID: "`<taskId>:<sequence>`: resumes that task.", badRequest: true),
            image,
        ]
    }

    /// An event stream: `retry: 3000`, the current task(s), then one event per change; closed once finished.
    static func events(
        _ path: String, _ opId: String, _ summary: String, parameters: [JSONValue], lastEventID: String, badRequest: Bool = false
    ) -> OpenAPIOperation {
        let header: JSONValue = ["name": "Last-Event-ID", "in": "header", "required": false, "description": .string(lastEventID), "schema": ["type": "string"]]
        var responses: [(String, JSONValue)] = [
            ("200", OAS.response("An event stream; the schema is that of each event.", event(multi: badRequest), mediaType: "text/event-stream")),
            ("204", ["description": "Nothing to send: every task is finished and already seen."]),
        ]
        if badRequest { responses.append(Self.badRequest) }
        responses.append(notFound)
        let op = OAS.operation(
            opId, tag: "tasks", summary: summary,
            description:
                "`retry: 3000`, one event with the current task, then one per change (`id: <sequence>`, `event: task.progress` …, "
                + "`data: <task JSON>`), `: ping` every 15 s; closed after `task.success`, `task.failure` or `task.cancel`.",
            parameters: parameters + [header], responses: responses)
        return OpenAPIOperation(method: "get", path: path, object: op)
    }

    /// One event of a stream (the form OpenAPI 3.2 gives `itemSchema`): `data` is the task JSON.
    static func event(multi: Bool) -> JSONValue {
        let names = ["task.submitted", "task.progress", "task.modal", "task.success", "task.failure", "task.cancel"]
        return OAS.object(
            [
                ("event", OAS.string(enumValues: names)),
                ("data", ["type": "string", "contentMediaType": "application/json", "contentSchema": OAS.ref("Task")]),
                ("id", OAS.string(multi ? "`<taskId>:<sequence>`" : "The task's sequence.", pattern: multi ? "^[0-9]+:[0-9]+$" : "^[0-9]+$")),
                ("retry", OAS.integer()),
            ], required: ["event", "data", "id"])
    }

    /// `GET /mj/image/{taskId}/{name}` (§5.8): signed links instead of the API secret.
    static var image: OpenAPIOperation {
        let binary: JSONValue = ["type": "string", "contentMediaType": "image/*"]
        let op = OAS.operation(
            "taskImage", tag: "images", summary: "A mirrored task image (§5.8)",
            description: "Links come from a task's `imageUrl`; `sig` is the hex of the first 16 bytes of an HMAC-SHA256 of the path.",
            parameters: [
                OAS.pathParameter("taskId", "The task id.", example: OpenAPIExamples.taskId),
                OAS.pathParameter("name", "`final.png`, `preview-46.webp`, …", example: "final.png"),
                OAS.queryParameter("sig", "The link's signature.", schema: OAS.string(pattern: "^[0-9a-f]*$"), example: "9f2c0e4b7a1d3c5e8f0a2b4c6d8e0f1a"),
                OAS.queryParameter("exp", "Expiry (epoch seconds) when links expire.", schema: OAS.integer()),
            ],
            responses: [
                (
                    "200",
                    [
                        "description": "The image, long-cached.",
                        "content": ["image/png": ["schema": binary], "image/webp": ["schema": binary], "image/jpeg": ["schema": binary],
                            "image/gif": ["schema": binary],
                        ],
                    ]
                ),
                ("403", OAS.response("The link expired.", OAS.ref("Error"))),
                ("404", OAS.response("No such image, or a missing or wrong signature.", OAS.ref("Error"))),
                ("503", OAS.response("The image store is unavailable.", OAS.ref("Error"))),
            ])
        return OpenAPIOperation(method: "get", path: "/mj/image/{taskId}/{name}", object: op, unprefixed: true)
    }
}
