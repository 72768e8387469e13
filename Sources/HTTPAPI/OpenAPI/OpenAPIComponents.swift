import DiscordKit

/// The parts of the OpenAPI document around the paths: info, servers (the mode prefixes), tags,
/// security schemes (contract §1.2) and the shared error answers (§1.4, §3).
enum OpenAPIComponents {
    static var info: JSONValue {
        [
            "title": "mjproxy",
            "version": "0.1.0",
            "summary": "The midjourney-proxy task API over a pool of Discord user accounts.",
            "description": .string(
                """
                The binding contract is `api-contract.md`; section numbers (§) refer to it.

                Answers are compact JSON, times epoch milliseconds, task ids 16-digit strings. Submit routes answer HTTP 200 \
                for every logical outcome with `{"code","description","result","properties"}`; every non-200 JSON body is \
                `{"code","description"}`. Request bodies are parsed as JSON whatever the Content-Type; unknown keys are ignored, \
                keys match case-insensitively, enum inputs too. Runs of slashes collapse and one trailing slash is ignored; unknown \
                routes answer 404, wrong methods 405. Requests carrying `X-Mjproxy-Delivery` (a webhook pointing back at the proxy) \
                are refused with 400.

                Every `/mj` route is also served under `/mj-fast`, `/mj-relax` and `/mj-turbo` (the servers below): the prefix sets \
                the requested speed mode.

                Authentication: with an API secret configured (`api.secret`), `/mj` routes need it as `mj-api-secret`, \
                `Authorization: Bearer <s>` or a bare `Authorization`; without one they are open. Account changes need the admin \
                secret (`admin.secret`, also as `mj-admin-secret`), which is accepted wherever the API secret is; without one they \
                answer 403. Image links are signed instead.
                """),
        ]
    }

    static var servers: JSONValue {
        [
            ["url": "/", "description": "No mode prefix: the mode comes from `accountFilter.modes`, the prompt or the account."],
            ["url": "/mj-fast", "description": "FAST mode requested."],
            ["url": "/mj-relax", "description": "RELAX mode requested."],
            ["url": "/mj-turbo", "description": "TURBO mode requested."],
        ]
    }

    static var tags: JSONValue {
        [
            ["name": "submit", "description": "Create tasks (§4)."],
            ["name": "tasks", "description": "Read, cancel and follow tasks (§5)."],
            ["name": "accounts", "description": "Account management (§6)."],
            ["name": "images", "description": "Mirrored task images (§5.8)."],
            ["name": "operations", "description": "Health, readiness, this document, metrics (§7)."],
        ]
    }

    static var components: JSONValue {
        [
            "schemas": .object(OpenAPISchemas.all),
            "responses": [
                "Unauthorized": error(
                    "Missing or wrong secret (U1).", example: ["code": 401, "description": "unauthorized: missing or invalid secret"]),
                "AdminDisabled": error(
                    "No admin secret configured (U2).", example: ["code": 403, "description": "admin API disabled: no admin secret configured"]),
                "BodyTooLarge": error("Body over the limit (32 MiB by default; V2).", example: ["code": 4, "description": "request body too large"]),
                "BodyTimeout": error("The body did not arrive in time.", example: ["code": 408, "description": "request body not received in time"]),
            ],
            "securitySchemes": [
                "apiSecret": ["type": "apiKey", "in": "header", "name": "mj-api-secret", "description": "The API secret (a leading `Bearer ` is stripped)."],
                "bearerSecret": ["type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <API secret>`."],
                "authorizationSecret": ["type": "apiKey", "in": "header", "name": "Authorization", "description": "A bare `Authorization: <API secret>`."],
                "adminSecret": [
                    "type": "apiKey", "in": "header", "name": "mj-admin-secret",
                    "description": "The admin secret; also accepted in the API secret's headers.",
                ],
            ],
        ]
    }

    /// A response with the error body.
    static func error(_ description: String, example: JSONValue) -> JSONValue {
        OAS.response(description, OAS.ref("Error"), example: example)
    }
}
