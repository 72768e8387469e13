import DiscordKit
import HTTPTypes
import ProxyCore

/// One documented operation: its method (lower case), path template and operation object.
/// Security and the auth/body error answers are added from the route that serves it.
struct OpenAPIOperation: Sendable {
    var method: String
    var path: String
    var object: JSONValue
    /// Served at the root only (operational routes, image links): not under the `/mj-<mode>` servers.
    var unprefixed = false
}

/// A route as the document sees it: method, path template (`/mj/task/{id}/fetch`), auth.
struct OpenAPIRoute: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var auth: APIResponder.Auth
}

/// The OpenAPI 3.1 document of exactly the routes a responder serves (contract §7): each route's
/// operation comes from the catalogue (one file per route group), its security and 401/403 answers
/// from its auth, 408/413 from its method. Catalogue entries of routes this server does not have
/// (no image mirror, no account manager) are left out; a route missing from the catalogue still
/// appears, marked undocumented (a test keeps that list empty). Rendered once, as JSON and YAML.
struct OpenAPIDocument: Sendable {
    /// Every operation the proxy can serve.
    static var catalogue: [OpenAPIOperation] {
        OpenAPISubmitPaths.operations + OpenAPITaskPaths.operations + OpenAPIAccountPaths.operations + OpenAPIOperationalPaths.operations
    }

    let value: JSONValue
    /// Compact JSON.
    let json: String
    let yaml: String
    /// `METHOD /path` of routes with no catalogue entry.
    let undocumented: [String]

    init(routes: [OpenAPIRoute]) {
        var byKey: [String: OpenAPIOperation] = [:]
        for op in Self.catalogue { byKey[op.method + " " + op.path] = op }
        var paths: [(String, [(String, JSONValue)])] = []
        var unprefixed = Set<String>()
        var undocumented: [String] = []
        for route in routes {
            let method = route.method.rawValue.lowercased()
            let entry = byKey[method + " " + route.path]
            if entry == nil { undocumented.append("\(route.method.rawValue) \(route.path)") }
            if entry?.unprefixed == true { unprefixed.insert(route.path) }
            let op = Self.complete(entry?.object ?? Self.placeholder(route), route: route)
            if let i = paths.firstIndex(where: { $0.0 == route.path }) {
                paths[i].1.append((method, op))
            } else {
                paths.append((route.path, [(method, op)]))
            }
        }
        // Links may only name operations this server has.
        let known = Set(paths.flatMap { $0.1.compactMap { $0.1["operationId"]?.stringValue } })
        paths = paths.map { path, ops in (path, ops.map { ($0.0, Self.pruneLinks($0.1, known: known)) }) }
        let root: JSONValue = ["servers": [["url": "/", "description": "Unprefixed (served at the root only)."]]]
        let pathItems: [(String, JSONValue)] = paths.map { path, ops in
            (path, .object((unprefixed.contains(path) ? root.objectPairs : []) + ops))
        }
        value = .object([
            ("openapi", "3.1.0"),
            ("info", OpenAPIComponents.info),
            ("servers", OpenAPIComponents.servers),
            ("tags", OpenAPIComponents.tags),
            ("paths", .object(pathItems)),
            ("components", OpenAPIComponents.components),
        ])
        json = value.compactString
        yaml = YAMLText.render(value)
        self.undocumented = undocumented
    }

    /// Adds the route's security and the answers every route of its kind may give.
    static func complete(_ op: JSONValue, route: OpenAPIRoute) -> JSONValue {
        guard case .object(var pairs) = op else { return op }
        var extra: [(String, JSONValue)] = []
        let response = { (code: String, name: String) in (code, ["$ref": .string("#/components/responses/\(name)")] as JSONValue) }
        var security: JSONValue
        switch route.auth {
        case .open:
            security = []
        case .api, .accountRead:
            security = apiSecurity
            extra.append(response("401", "Unauthorized"))
        case .admin:
            security = [["adminSecret": []]]
            extra += [response("401", "Unauthorized"), response("403", "AdminDisabled")]
        }
        // A route that checks a secret itself (`/metrics`) declares its security in the catalogue.
        if let own = pairs.first(where: { $0.0 == "security" })?.1 {
            pairs.removeAll { $0.0 == "security" }
            security = own
            if own.arrayValue?.isEmpty == false { extra.append(response("401", "Unauthorized")) }
        }
        if route.method == .post || route.method == .put {
            extra += [response("408", "BodyTimeout"), response("413", "BodyTooLarge")]
        }
        if let i = pairs.firstIndex(where: { $0.0 == "responses" }), case .object(var responses) = pairs[i].1 {
            for (code, r) in extra where !responses.contains(where: { $0.0 == code }) { responses.append((code, r)) }
            pairs[i].1 = .object(responses)
        }
        pairs.append(("security", security))
        return .object(pairs)
    }

    /// The operation without response links to operations not in `known`.
    static func pruneLinks(_ op: JSONValue, known: Set<String>) -> JSONValue {
        guard let responses = op["responses"]?.objectPairs else { return op }
        let pruned: [(String, JSONValue)] = responses.map { code, response in
            guard let links = response["links"]?.objectPairs else { return (code, response) }
            let kept = links.filter { known.contains($0.1["operationId"]?.stringValue ?? "") }
            let rest = response.objectPairs.filter { $0.0 != "links" }
            return (code, .object(kept.isEmpty ? rest : rest + [("links", .object(kept))]))
        }
        return .object(op.objectPairs.map { $0.0 == "responses" ? ($0.0, .object(pruned)) : $0 })
    }

    /// The API secret in any of its headers, or the admin secret (contract §1.2).
    static let apiSecurity: JSONValue = [["apiSecret": []], ["bearerSecret": []], ["authorizationSecret": []], ["adminSecret": []]]

    /// The operation of a route missing from the catalogue.
    static func placeholder(_ route: OpenAPIRoute) -> JSONValue {
        OAS.operation(
            "undocumented_\(route.method.rawValue.lowercased())_\(route.path.filter { $0.isLetter || $0.isNumber })", tag: "undocumented",
            summary: "Not documented yet", responses: [("default", ["description": "Any answer."])])
    }
}

extension JSONValue {
    /// The pairs of an object (empty for anything else).
    var objectPairs: [(String, JSONValue)] {
        if case .object(let pairs) = self { return pairs }
        return []
    }
}
