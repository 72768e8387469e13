import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The sandbox's control API: fault injection, lasting conditions, drops and stats for tests and demos
/// (`/sandbox/...`, served when `sandbox.controlRoutes` is on).
extension SandboxRoutes {
    // MARK: control API (fault injection for tests and demos)

    /// A WebSocket close code from a control request: absent = 4000; an integer 1000-4999; nil otherwise.
    static func closeCode(_ value: JSONValue?) -> UInt16? {
        guard let value, !value.isNull else { return 4000 }
        guard let n = value.intValue, (1000...4999).contains(n) else { return nil }
        return UInt16(exactly: n)
    }

    func registerControl(_ router: Router<Context>) {
        router.post("/sandbox/faults") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue,
                let fault = parsed["fault"]?.stringValue.flatMap(SandboxFault.init(rawValue:))
            else {
                return Self.json(["error": .string("need {token, fault}; faults: \(SandboxFault.allCases.map(\.rawValue).joined(separator: ", "))")], status: .badRequest)
            }
            await world.arm(fault, forToken: token)
            return Self.json(["armed": .string(fault.rawValue)])
        }
        router.post("/sandbox/disconnect") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue else {
                return Self.json(["error": "need {token, code?}"], status: .badRequest)
            }
            // A close frame may carry 1000-4999 only (RFC 6455 §7.4); anything else is refused, never converted.
            guard let code = Self.closeCode(parsed["code"]) else {
                return Self.json(["error": "code must be an integer 1000-4999"], status: .badRequest)
            }
            let n = await world.dropConnections(token: token, code: code)
            return Self.json(["closed": .int(Int64(n))])
        }
        router.post("/sandbox/op") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue,
                let op = parsed["op"]?.intValue
            else { return Self.json(["error": "need {token, op, d?}"], status: .badRequest) }
            guard (0...255).contains(op) else { return Self.json(["error": "op must be 0-255"], status: .badRequest) }
            let n = await world.sendOp(token: token, op: Int(op), d: (parsed["d"] ?? .null).compactString)
            return Self.json(["sent": .int(Int64(n))])
        }
        router.post("/sandbox/settings") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue,
                let user = await world.user(forToken: token)
            else { return Self.json(["error": "need {token, bot?, remix?, mode?}"], status: .badRequest) }
            let botId = parsed["bot"]?.stringValue ?? SandboxIDs.midjourney
            await bot.setSettings(userId: user.id, botId: botId, remix: parsed["remix"]?.boolValue, mode: parsed["mode"]?.stringValue)
            return Self.json(["ok": true])
        }
        router.post("/sandbox/conditions") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue,
                let condition = parsed["condition"]?.stringValue.flatMap(SandboxCondition.init(rawValue:))
            else {
                return Self.json(
                    ["error": .string("need {token, condition, on?}; conditions: \(SandboxCondition.allCases.map(\.rawValue).joined(separator: ", "))")],
                    status: .badRequest)
            }
            let on = parsed["on"]?.boolValue ?? true
            await world.setCondition(condition, on, forToken: token)
            return Self.json(["condition": .string(condition.rawValue), "on": .bool(on)])
        }
        router.post("/sandbox/cdn/expire") { _, _ in
            // Every CDN link issued so far dies (as Discord's do after about a day).
            Self.json(["expired": .int(Int64(await world.expireCDNFiles()))])
        }
        router.post("/sandbox/fast") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let parsed = try? JSONValue.parse(Data(body.readableBytesView)), let token = parsed["token"]?.stringValue else {
                return Self.json(["error": "need {token, jobs?} (jobs absent or null = refill)"], status: .badRequest)
            }
            let jobs = parsed["jobs"]?.intValue.map { Int(clamping: $0) }
            await world.setFastJobs(jobs, forToken: token)
            return Self.json(["jobs": jobs.map { .int(Int64($0)) } ?? .null])
        }
        router.get("/sandbox/stats") { _, _ in
            let s = await world.stats
            return Self.json([
                "identifies": .int(Int64(s.identifies)), "resumes": .int(Int64(s.resumes)), "interactions": .int(Int64(s.interactions)),
                "closedByFault": .int(Int64(s.closedByFault)),
                "activityPosts": .int(Int64(s.activityPosts)), "staleRefusals": .int(Int64(s.staleRefusals)), "indexReads": .int(Int64(s.indexReads)),
            ])
        }
    }
}
