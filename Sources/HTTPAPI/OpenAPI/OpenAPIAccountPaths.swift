import DiscordKit
import ProxyCore

/// The account operations of the OpenAPI document (contract §6): two reads under the API or the
/// admin secret, mutations under the admin secret answering the envelope with the account id.
enum OpenAPIAccountPaths {
    static let id = OAS.pathParameter("id", "An account id (`instanceId`).", example: OpenAPIExamples.accountId)
    static let notFound = ("404", OAS.response("Unknown account.", OAS.ref("Error"), example: ["code": 4, "description": "account not found"]))
    static var success: (String, JSONValue) {
        (
            "200",
            OAS.response(
                "Code 1 with the account id; code 4 with the reason on bad input or when the bot did not confirm.", OAS.ref("SubmitAnswer"),
                example: ["code": 1, "description": "Success", "result": .string(OpenAPIExamples.accountId), "properties": [:]])
        )
    }
    static var botType: JSONValue { OAS.string("`MID_JOURNEY` (default) or `NIJI_JOURNEY`.", example: "MID_JOURNEY") }

    /// The catalogue entries of this group.
    static var operations: [OpenAPIOperation] {
        let input = OAS.body(OAS.ref("AccountInput"), example: OpenAPIAccountSchemas.createExample)
        let update = OAS.body(OAS.ref("AccountInput"), example: ["remark": "night shift", "coreSize": 2])
        return [
            OpenAPIOperation(
                method: "get", path: "/mj/account/list",
                object: OAS.operation(
                    "listAccounts", tag: "accounts", summary: "Every account (§6)",
                    responses: [("200", OAS.response("A bare array of account views.", OAS.array(OAS.ref("AccountView"))))])),
            OpenAPIOperation(
                method: "get", path: "/mj/account/{id}/fetch",
                object: OAS.operation(
                    "fetchAccount", tag: "accounts", summary: "One account (§6)", parameters: [id],
                    responses: [("200", OAS.response("The account view (token masked).", OAS.ref("AccountView"))), notFound])),
            OpenAPIOperation(
                method: "post", path: "/mj/account/create",
                object: OAS.operation(
                    "createAccount", tag: "accounts", summary: "Create and connect an account", body: input, responses: [success])),
            mutation("put", "update", "updateAccount", "Change any subset of the fields", body: update),
            mutation("put", "update-reconnect", "updateAccountReconnect", "Change fields, then reconnect", body: update),
            mutation("post", "reconnect", "reconnectAccount", "A new gateway session"),
            mutation("post", "enable", "enableAccount", "Enable"),
            mutation("post", "disable", "disableAccount", "Disable: no new tasks; its waiting tasks fail"),
            mutation("delete", "delete", "deleteAccount", "Disconnect and remove; unfinished tasks fail"),
            mutation("post", "sync-info", "syncAccountInfo", "`/info` and `/settings` of both bots (at most 30 s)"),
            mutation(
                "post", "change-mode", "changeAccountMode", "`/fast`, `/relax` or `/turbo`",
                body: OAS.body(
                    OAS.object(
                        [("botType", botType), ("mode", OAS.string(enumValues: SpeedMode.allCases.map(\.rawValue)))], required: ["mode"]),
                    example: ["botType": "MID_JOURNEY", "mode": "RELAX"])),
            mutation(
                "post", "change-remix", "changeAccountRemix", "Turn remix on or off in `/settings`",
                body: OAS.body(
                    OAS.object([("botType", botType), ("remix", OAS.boolean())], required: ["remix"]),
                    example: ["botType": "NIJI_JOURNEY", "remix": true])),
            mutation(
                "post", "change-version", "changeAccountVersion", "The version select of `/settings`",
                parameters: [
                    OAS.queryParameter("version", "A value of the version select.", schema: OAS.string(), required: true, example: "6.1"),
                    OAS.queryParameter("botType", "The bot.", schema: botType),
                ]),
            mutation(
                "post", "action", "accountSettingsAction", "Press a `/settings` button",
                parameters: [
                    OAS.queryParameter("customId", "The button's custom id.", schema: OAS.string(), required: true, example: "MJ::Settings::RemixMode"),
                    OAS.queryParameter("botType", "The bot.", schema: botType),
                ]),
            mutation("post", "verified", "accountVerified", "A captcha was solved: the paused account resumes"),
        ]
    }

    /// `METHOD /mj/account/{id}/<verb>`: the envelope, or 404 for an unknown account.
    static func mutation(
        _ method: String, _ verb: String, _ opId: String, _ summary: String, parameters: [JSONValue] = [], body: JSONValue? = nil
    ) -> OpenAPIOperation {
        OpenAPIOperation(
            method: method, path: "/mj/account/{id}/\(verb)",
            object: OAS.operation(opId, tag: "accounts", summary: summary, parameters: [id] + parameters, body: body, responses: [success, notFound]))
    }
}
