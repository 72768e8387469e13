import DiscordKit

/// Small builders for the OpenAPI 3.1 document (JSON Schema 2020-12 schemas as `JSONValue`, keys in
/// the order written), so the catalogue files read like the document they produce.
enum OAS {
    /// `{"$ref": "#/components/schemas/<name>"}`.
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    /// A string schema with optional facets.
    static func string(
        _ description: String? = nil, pattern: String? = nil, enumValues: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil,
        format: String? = nil, example: String? = nil, nullable: Bool = false
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", nullable ? ["string", "null"] : "string")]
        if let description { pairs.append(("description", .string(description))) }
        if let enumValues { pairs.append(("enum", .array(enumValues.map { .string($0) } + (nullable ? [.null] : [])))) }
        if let pattern { pairs.append(("pattern", .string(pattern))) }
        if let minLength { pairs.append(("minLength", .int(Int64(minLength)))) }
        if let maxLength { pairs.append(("maxLength", .int(Int64(maxLength)))) }
        if let format { pairs.append(("format", .string(format))) }
        if let example { pairs.append(("examples", [.string(example)])) }
        return .object(pairs)
    }

    /// An integer schema (`minimum`/`maximum` inclusive).
    static func integer(_ description: String? = nil, minimum: Int64? = nil, maximum: Int64? = nil, nullable: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", nullable ? ["integer", "null"] : "integer")]
        if let description { pairs.append(("description", .string(description))) }
        if let minimum { pairs.append(("minimum", .int(minimum))) }
        if let maximum { pairs.append(("maximum", .int(maximum))) }
        return .object(pairs)
    }

    /// A number schema (`minimum`/`maximum` inclusive).
    static func number(_ description: String? = nil, minimum: Double? = nil, maximum: Double? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "number")]
        if let description { pairs.append(("description", .string(description))) }
        if let minimum { pairs.append(("minimum", .double(minimum))) }
        if let maximum { pairs.append(("maximum", .double(maximum))) }
        return .object(pairs)
    }

    /// A boolean schema.
    static func boolean(_ description: String? = nil, nullable: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", nullable ? ["boolean", "null"] : "boolean")]
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    /// An array schema.
    static func array(_ items: JSONValue, _ description: String? = nil, minItems: Int? = nil, maxItems: Int? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "array")]
        if let description { pairs.append(("description", .string(description))) }
        pairs.append(("items", items))
        if let minItems { pairs.append(("minItems", .int(Int64(minItems)))) }
        if let maxItems { pairs.append(("maxItems", .int(Int64(maxItems)))) }
        return .object(pairs)
    }

    /// An object schema: `properties` in order, `required` keys, and whether other keys may appear.
    static func object(
        _ properties: [(String, JSONValue)], required: [String] = [], additional: Bool = true, description: String? = nil
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "object")]
        if let description { pairs.append(("description", .string(description))) }
        pairs.append(("properties", .object(properties)))
        if !required.isEmpty { pairs.append(("required", .array(required.map { .string($0) }))) }
        if !additional { pairs.append(("additionalProperties", false)) }
        return .object(pairs)
    }

    /// A free JSON object.
    static func anyObject(_ description: String? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "object")]
        if let description { pairs.append(("description", .string(description))) }
        return .object(pairs)
    }

    /// A `content` map with one media type, its schema and an optional example.
    static func content(_ schema: JSONValue, example: JSONValue? = nil, mediaType: String = "application/json") -> JSONValue {
        var media: [(String, JSONValue)] = [("schema", schema)]
        if let example { media.append(("example", example)) }
        return .object([(mediaType, .object(media))])
    }

    /// A response object with a JSON body.
    static func response(_ description: String, _ schema: JSONValue, example: JSONValue? = nil, mediaType: String = "application/json") -> JSONValue {
        ["description": .string(description), "content": content(schema, example: example, mediaType: mediaType)]
    }

    /// A request body (JSON whatever the Content-Type: contract §1.3).
    static func body(_ schema: JSONValue, example: JSONValue? = nil, required: Bool = true) -> JSONValue {
        [
            "description": "JSON, parsed as such whatever the Content-Type; an empty body or `null` is `{}`.",
            "required": .bool(required), "content": content(schema, example: example),
        ]
    }

    /// A path parameter.
    static func pathParameter(_ name: String, _ description: String, example: String) -> JSONValue {
        [
            "name": .string(name), "in": "path", "required": true, "description": .string(description),
            "schema": ["type": "string", "minLength": 1], "example": .string(example),
        ]
    }

    /// A query parameter.
    static func queryParameter(_ name: String, _ description: String, schema: JSONValue, required: Bool = false, example: JSONValue? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)), ("in", "query"), ("required", .bool(required)), ("description", .string(description)), ("schema", schema),
        ]
        if let example { pairs.append(("example", example)) }
        return .object(pairs)
    }

    /// An operation object (security is added from the route table).
    static func operation(
        _ id: String, tag: String, summary: String, description: String? = nil, parameters: [JSONValue] = [], body: JSONValue? = nil,
        responses: [(String, JSONValue)]
    ) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("operationId", .string(id)), ("tags", [.string(tag)]), ("summary", .string(summary))]
        if let description { pairs.append(("description", .string(description))) }
        if !parameters.isEmpty { pairs.append(("parameters", .array(parameters))) }
        if let body { pairs.append(("requestBody", body)) }
        pairs.append(("responses", .object(responses)))
        return .object(pairs)
    }
}
