import DiscordKit
import Foundation
import NIOCore
import NIOPosix

/// A loopback outbound proxy for tests: HTTP `CONNECT` (with optional Basic credentials it
/// checks) or SOCKS5 without authentication. It tunnels bytes both ways and counts its tunnels and
/// their targets, so a test can prove an account's REST and gateway traffic went through it.
final class TunnelProxy: Sendable {
    enum Kind: Sendable {
        case httpConnect(credentials: String?)
        case socks5
    }

    struct Failure: Error {}

    let kind: Kind
    /// Tunnels opened, by target `host:port`.
    let opened = Locked<[String]>([])
    /// CONNECT requests refused for missing or wrong credentials.
    let refused = Locked(0)

    init(_ kind: Kind) { self.kind = kind }

    /// Runs the proxy on a free loopback port while `body` runs.
    static func with<T: Sendable>(_ kind: Kind, _ body: @Sendable (TunnelProxy, Int) async throws -> T) async throws -> T {
        let proxy = TunnelProxy(kind)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = server.channel.localAddress?.port ?? 0
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            connections.addTask { await proxy.serve(connection) }
                        }
                    }
                }
            }
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(proxy, port)) } catch { outcome = .failure(error) }
            group.cancelAll()
            server.channel.close(promise: nil)
            try? await group.waitForAll()
            return try outcome.get()
        }
    }

    /// Tunnel count.
    var tunnels: Int { opened.value.count }

    private func serve(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await client.executeThenClose { inbound, outbound in
            var reader = ByteReader(iterator: inbound.makeAsyncIterator())
            let target: (host: String, port: Int)
            switch kind {
            case .httpConnect(let credentials):
                let head = try await reader.readHead()
                let lines = head.components(separatedBy: "\r\n")
                let parts = lines.first?.split(separator: " ") ?? []
                guard parts.count == 3, parts[0] == "CONNECT", let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...])
                else {
                    try await outbound.write(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
                    return
                }
                if let credentials {
                    let expected = "basic " + Data(credentials.utf8).base64EncodedString().lowercased()
                    let given = lines.first { $0.lowercased().hasPrefix("proxy-authorization:") }
                        .map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces).lowercased() }
                    guard given == expected else {
                        refused.withLock { $0 += 1 }
                        try await outbound.write(ByteBuffer(string: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"))
                        return
                    }
                }
                var host = String(parts[1][..<colon])
                if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
                target = (host, port)
            case .socks5:
                let greeting = try await reader.read(2)
                guard greeting[0] == 5 else { return }
                _ = try await reader.read(Int(greeting[1]))
                try await outbound.write(ByteBuffer(bytes: [5, 0]))
                let request = try await reader.read(4)
                guard request[0] == 5, request[1] == 1 else { return }
                let host: String
                switch request[3] {
                case 1: host = try await reader.read(4).map(String.init).joined(separator: ".")
                case 3:
                    let length = Int(try await reader.read(1)[0])
                    host = String(decoding: try await reader.read(length), as: UTF8.self)
                case 4:
                    let bytes = try await reader.read(16)
                    host = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
                default: return
                }
                let portBytes = try await reader.read(2)
                target = (host, Int(portBytes[0]) << 8 | Int(portBytes[1]))
            }
            let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            opened.withLock { $0.append("\(target.host):\(target.port)") }
            switch kind {
            case .httpConnect: try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n"))
            case .socks5: try await outbound.write(ByteBuffer(bytes: [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]))
            }
            try await upstream.executeThenClose { upIn, upOut in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await chunk in upIn { try await outbound.write(chunk) }
                        outbound.finish()
                    }
                    while let chunk = try await reader.next() { try await upOut.write(chunk) }
                    upOut.finish()
                    group.cancelAll()
                }
            }
        }
    }
}

/// Reads exact byte counts and an HTTP head off an inbound stream, keeping what comes after.
struct ByteReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer = ByteBuffer()

    private mutating func fill() async throws {
        guard var more = try await iterator.next() else { throw TunnelProxy.Failure() }
        buffer.writeBuffer(&more)
    }

    mutating func read(_ n: Int) async throws -> [UInt8] {
        while buffer.readableBytes < n { try await fill() }
        guard let bytes = buffer.readBytes(length: n) else { throw TunnelProxy.Failure() }
        return bytes
    }

    /// Up to and without the blank line ending an HTTP head.
    mutating func readHead() async throws -> String {
        while true {
            let text = String(buffer: buffer)
            if let end = text.range(of: "\r\n\r\n") {
                let head = String(text[..<end.lowerBound])
                buffer.moveReaderIndex(forwardBy: text[..<end.upperBound].utf8.count)
                return head
            }
            guard buffer.readableBytes < 16 << 10 else { throw TunnelProxy.Failure() }
            try await fill()
        }
    }

    /// What was read ahead, then the stream's next chunks; nil at the end.
    mutating func next() async throws -> ByteBuffer? {
        if buffer.readableBytes > 0 {
            defer { buffer.clear() }
            return buffer
        }
        return try await iterator.next()
    }
}
