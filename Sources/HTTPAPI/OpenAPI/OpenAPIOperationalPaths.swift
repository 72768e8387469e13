import DiscordKit

/// The unprefixed operational operations of the OpenAPI document (contract §7): health, readiness,
/// the document itself and the metrics.
enum OpenAPIOperationalPaths {
    /// `GET /metrics`: guarded by `metrics.secret` when set, else by the API or admin secret when either is.
    static var metrics: JSONValue {
        guard case .object(var pairs) = OAS.operation(
            "metrics", tag: "operations", summary: "Prometheus metrics",
            description: "With `metrics.secret` set, that secret (or the admin secret) is needed, else the API or the admin secret when either is "
                + "configured, in the API secret's headers; open when no secret is configured.",
            responses: [("200", OAS.response("Prometheus text format 0.0.4.", OAS.string(), mediaType: "text/plain"))])
        else { return [:] }
        pairs.append(("security", OpenAPIDocument.apiSecurity))
        return .object(pairs)
    }

    /// The catalogue entries of this group.
    static var operations: [OpenAPIOperation] {
        let ready = OAS.object(
            [
                ("status", OAS.string(enumValues: ["READY"])),
                (
                    "accounts",
                    OAS.object([("connected", OAS.integer(minimum: 0)), ("enabled", OAS.integer(minimum: 0))], required: ["connected", "enabled"])
                ),
                // Several instances on one PostgreSQL store: this instance and the accounts it holds.
                ("instance", OAS.string("This instance's id (several instances on one PostgreSQL store).")),
                ("heldAccounts", OAS.array(OAS.string())),
            ], required: ["status", "accounts"])
        let notReady = OAS.object(
            [("status", OAS.string(enumValues: ["NOT_READY"])), ("reasons", OAS.array(OAS.string(), minItems: 1))], required: ["status", "reasons"])
        return [
            OpenAPIOperation(
                method: "get", path: "/health",
                object: OAS.operation(
                    "health", tag: "operations", summary: "Liveness",
                    responses: [
                        ("200", OAS.response("Up.", OAS.object([("status", OAS.string(enumValues: ["UP"]))], required: ["status"]), example: ["status": "UP"]))
                    ]), unprefixed: true),
            OpenAPIOperation(
                method: "get", path: "/ready",
                object: OAS.operation(
                    "ready", tag: "operations", summary: "Readiness: store, startup recovery, at least one connected account",
                    responses: [
                        ("200", OAS.response("Ready.", ready, example: ["status": "READY", "accounts": ["connected": 3, "enabled": 4]])),
                        ("503", OAS.response("Not ready.", notReady, example: ["status": "NOT_READY", "reasons": ["no connected account"]])),
                    ]), unprefixed: true),
            OpenAPIOperation(
                method: "get", path: "/openapi.json",
                object: OAS.operation(
                    "openapiJSON", tag: "operations", summary: "This document (JSON)",
                    responses: [("200", OAS.response("OpenAPI 3.1.", OAS.object([("openapi", OAS.string())], required: ["openapi"])))]),
                unprefixed: true),
            OpenAPIOperation(
                method: "get", path: "/openapi.yaml",
                object: OAS.operation(
                    "openapiYAML", tag: "operations", summary: "This document (YAML)",
                    responses: [("200", OAS.response("OpenAPI 3.1.", OAS.object([("openapi", OAS.string())], required: ["openapi"]), mediaType: "application/yaml"))]),
                unprefixed: true),
            OpenAPIOperation(method: "get", path: "/metrics", object: metrics, unprefixed: true),
        ]
    }
}
