import DiscordKit
import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Serves one gateway connection the way Discord does: HELLO, heartbeats (accepted before and
/// after IDENTIFY, each ACKed), IDENTIFY → READY + READY_SUPPLEMENTAL, RESUME → replay + RESUMED,
/// zlib-stream (one deflate context, sync flush per message, binary frames) when asked for.
struct SandboxGateway: Sendable {
    let world: SandboxWorld
    let logger: Logger

    /// Handles an upgraded socket until it closes.
    func serve(query: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let compress = query.contains("compress=zlib-stream")
        let (stream, continuation) = AsyncStream<OutboundGatewayFrame>.makeStream()
        var sessionId: String?
        var connectionId: Int?
        let heartbeat = await world.configuration.heartbeatInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The writer owns the deflate context: one per connection, never reset.
                // A 4 KB window and a small hash: ~24 KB per connection instead of zlib's ~256 KB default,
                // so a sandbox with a thousand users stays small; clients inflate it like Discord's stream.
                // Level 1 (fastest): what matters is the format, not the ratio.
                let deflater = compress ? try ZlibStreamDeflater(level: 1, windowBits: 12, memLevel: 4) : nil
                for await frame in stream {
                    switch frame {
                    case .json(let text):
                        if let deflater {
                            try await outbound.write(.binary(ByteBuffer(bytes: try deflater.compress(Array(text.utf8)))))
                        } else {
                            try await outbound.write(.text(text))
                        }
                    case .close(let code, let reason):
                        try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                        return
                    }
                }
            }
            continuation.yield(.json("{\"t\":null,\"s\":null,\"op\":10,\"d\":{\"heartbeat_interval\":\(heartbeat),\"_trace\":[\"[\\\"sandbox-gateway\\\",{\\\"micros\\\":0}]\"]}}"))
            do {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    // discord.py sends text frames, discord.py-self binary ones: both carry plain JSON.
                    let data: Data
                    switch message {
                    case .text(let t): data = Data(t.utf8)
                    case .binary(let b): data = Data(b.readableBytesView)
                    }
                    guard let payload = try? JSONValue.parse(data), let op = payload["op"]?.intValue else {
                        continuation.yield(.close(code: 4002, reason: "Error while decoding payload."))
                        break
                    }
                    switch op {
                    case 1:
                        continuation.yield(.json("{\"t\":null,\"s\":null,\"op\":11,\"d\":null}"))
                    case 2:
                        if sessionId != nil {
                            continuation.yield(.close(code: 4005, reason: "Already authenticated."))
                            break
                        }
                        let token = payload["d"]?["token"]?.stringValue ?? ""
                        if await world.has(.refuseConnect, token: token) {
                            continuation.yield(.close(code: 1011, reason: "connection refused (sandbox condition)"))
                            break
                        }
                        guard let user = await world.user(forToken: token) else {
                            continuation.yield(.close(code: 4004, reason: "Authentication failed."))
                            break
                        }
                        let (sid, cid) = await world.identify(userId: user.id, connection: continuation)
                        sessionId = sid
                        connectionId = cid
                        let ready = await SandboxReady.ready(world: world, user: user, sessionId: sid)
                        await world.send("READY", data: ready, to: sid)
                        await world.send("READY_SUPPLEMENTAL", data: SandboxReady.supplemental(), to: sid)
                    case 6:
                        let d = payload["d"]
                        let sid = d?["session_id"]?.stringValue ?? ""
                        let token = d?["token"]?.stringValue ?? ""
                        let seq = d?["seq"]?.intValue.map(Int.init)
                        if await world.has(.refuseConnect, token: token) {
                            continuation.yield(.close(code: 1011, reason: "connection refused (sandbox condition)"))
                            break
                        }
                        if let cid = await world.resume(sessionId: sid, token: token, seq: seq, connection: continuation) {
                            sessionId = sid
                            connectionId = cid
                            await world.send("RESUMED", data: "{\"_trace\":[\"sandbox-gateway\"]}", to: sid)
                        } else {
                            continuation.yield(.json("{\"t\":null,\"s\":null,\"op\":9,\"d\":false}"))
                        }
                    case 37:
                        // Guild subscriptions with a channel range: answer with the member list, as Discord
                        // does (discord.py-self waits for it before on_ready).
                        if let sessionId, payload["d"]?["subscriptions"]?[SandboxIDs.guildId]?["channels"] != nil {
                            await world.send("GUILD_MEMBER_LIST_UPDATE", data: await SandboxReady.memberList(world: world, sessionId: sessionId), to: sessionId)
                        }
                    case 3, 4, 5, 8, 13, 14, 17...22, 28...36, 38...43:
                        // Presence, voice, member requests, guild subscriptions, QoS heartbeats…: accepted, no answer.
                        if op == 40 { continuation.yield(.json("{\"t\":null,\"s\":null,\"op\":11,\"d\":null}")) }
                    default:
                        continuation.yield(.close(code: 4001, reason: "Unknown opcode."))
                    }
                }
            } catch {
                logger.debug("sandbox gateway read ended", metadata: ["error": "\(error)"])
            }
            if let sessionId, let connectionId { await world.detach(sessionId: sessionId, connectionId: connectionId) }
            continuation.finish()
            group.cancelAll()
        }
    }
}
