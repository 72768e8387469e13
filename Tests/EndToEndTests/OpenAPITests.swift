import DiscordKit
import Foundation
import ImageMirror
import NIOHTTP1
import Testing
import Yams

@testable import HTTPAPI
@testable import MJProxy

/// The OpenAPI document served at `/openapi.json` and `/openapi.yaml` (contract §7) lists exactly
/// the routes of the running proxy's route table, every route has its catalogue entry, the YAML
/// says what the JSON says, and what it declares holds on the live server (route exists, auth).
@Suite struct OpenAPITests {
    static let apiSecret = "openapi-api-secret"
    static let adminSecret = "openapi-admin-secret"

    /// Every part on: secrets, the image mirror, the account API.
    static func config() -> AppConfig {
        TestProxy.config {
            $0.apiSecret = apiSecret
            $0.adminSecret = adminSecret
            $0.images.backend = .disk
        }
    }

    /// `METHOD /path` of every operation of a document.
    static func operations(_ doc: JSONValue) -> Set<String> {
        var out = Set<String>()
        for (path, item) in doc["paths"]?.objectPairs ?? [] {
            for (method, _) in item.objectPairs where method != "servers" && method != "parameters" { out.insert("\(method.uppercased()) \(path)") }
        }
        return out
    }

    @Test func servedDocumentListsEveryRouteOfTheTable() async throws {
        try await TestProxy.with(Self.config()) { proxy in
            let responder = proxy.runtime.makeResponder()
            let table = Set(responder.routeList)
            #expect(responder.undocumentedRoutes.isEmpty, "routes without an OpenAPI entry: \(responder.undocumentedRoutes)")
            // Catalogue entries no route serves would document what the server does not do.
            let catalogue = Set(OpenAPIDocument.catalogue.map { "\($0.method.uppercased()) \($0.path)" })
            #expect(catalogue.subtracting(table).isEmpty, "documented but not served: \(catalogue.subtracting(table).sorted())")

            // JSON: no secret needed, OpenAPI 3.1, exactly the table.
            let json = try await proxy.request(.GET, "/openapi.json")
            #expect(json.status == 200)
            #expect(json.headers.first(name: "Content-Type") == "application/json")
            let doc = try JSONValue.parse(json.body)
            #expect(doc["openapi"]?.stringValue == "3.1.0")
            #expect(Self.operations(doc) == table, "spec vs table: \(Self.operations(doc).symmetricDifference(table).sorted())")
            // Every $ref points at a component that exists.
            for ref in Self.refs(doc) {
                let parts = ref.dropFirst(2).split(separator: "/").map(String.init)
                #expect(ref.hasPrefix("#/") && parts.reduce(Optional(doc)) { $0?[$1] } != nil, "dangling \(ref)")
            }

            // YAML: parses, and says the same as the JSON.
            let yaml = try await proxy.request(.GET, "/openapi.yaml")
            #expect(yaml.status == 200)
            #expect(yaml.headers.first(name: "Content-Type") == "application/yaml")
            let loaded = try Yams.load(yaml: yaml.body)
            let fromYAML = try Self.jsonValue(loaded ?? NSNull())
            #expect(Self.canonical(fromYAML) == Self.canonical(doc))
        }
    }

    /// Each documented operation exists on the live server (never the unknown-route 404 or 405) and
    /// asks for a secret exactly when its `security` says so; other methods get 405 with `Allow`.
    @Test func documentedOperationsExistAndDeclareTheirAuth() async throws {
        try await TestProxy.with(Self.config()) { proxy in
            let doc = try await proxy.get("/openapi.json")
            let secrets = [("mj-api-secret", Self.apiSecret), ("mj-admin-secret", Self.adminSecret)]
            for (path, item) in doc["paths"]?.objectPairs ?? [] {
                // Unknown ids: the controllers answer 404 themselves, nothing is changed.
                let concrete = path.split(separator: "/").map { $0.hasPrefix("{") ? "0000000000000000" : String($0) }.joined(separator: "/")
                // A method the path does not have: 405 with `Allow` naming exactly the documented ones.
                let documented = Set(item.objectPairs.map(\.0).filter { $0 != "servers" }.map { $0.uppercased() })
                let other = try await proxy.request(.PATCH, "/" + concrete, headers: secrets)
                #expect(other.status == 405, "PATCH \(path)")
                let allow = Set((other.headers.first(name: "Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allow == documented, "Allow of \(path): \(allow.sorted()) vs \(documented.sorted())")
                for (method, op) in item.objectPairs where method != "servers" {
                    let m = HTTPMethod(rawValue: method.uppercased())
                    // Streams of unknown tasks end at once; every other answer is a complete body.
                    let authorised = try await proxy.request(m, "/" + concrete, headers: secrets)
                    #expect(authorised.status != 405, "\(method) \(path)")
                    #expect(!(authorised.status == 404 && authorised.body.contains("unknown route")), "\(method) \(path) is not served")
                    #expect(authorised.status != 401, "\(method) \(path) refused the secrets")
                    let declared = op["responses"]?.objectPairs.map(\.0) ?? []
                    #expect(declared.contains(String(authorised.status)), "\(method) \(path) answered undocumented \(authorised.status)")
                    let open = op["security"]?.arrayValue?.isEmpty == true
                    let anonymous = try await proxy.request(m, "/" + concrete)
                    #expect((anonymous.status == 401) == !open, "\(method) \(path): security \(open ? "none" : "required"), got \(anonymous.status)")
                }
            }
        }
    }

    /// Every `$ref` string in a document.
    static func refs(_ v: JSONValue) -> [String] {
        switch v {
        case .object(let pairs): return pairs.flatMap { k, v in k == "$ref" ? [v.stringValue ?? ""] : refs(v) }
        case .array(let items): return items.flatMap(refs)
        default: return []
        }
    }

    /// A value with every object's keys sorted (YAML loading does not keep key order).
    static func canonical(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let pairs): return .object(pairs.map { ($0.0, canonical($0.1)) }.sorted { $0.0 < $1.0 })
        case .array(let items): return .array(items.map(canonical))
        default: return v
        }
    }

    /// What Yams loaded, as a JSON value.
    static func jsonValue(_ any: Any) throws -> JSONValue {
        switch any {
        case let d as [String: Any]: return .object(try d.map { ($0.key, try jsonValue($0.value)) })
        case let a as [Any]: return .array(try a.map(jsonValue))
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(Int64(i))
        case let d as Double: return .double(d)
        case is NSNull: return .null
        default: throw TestFailure("unexpected YAML value \(any) (\(type(of: any)))")
        }
    }
}
