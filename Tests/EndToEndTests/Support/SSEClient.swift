import AsyncHTTPClient
import DiscordKit
import Foundation
import NIOCore
import NIOHTTP1

/// One Server-Sent Events block as received (fields of one event, or a comment such as `: ping`).
struct SSEFrame: Sendable, Equatable {
    var id: String?
    var event: String?
    var data: String?
    var retry: Int?
    var comments: [String] = []

    /// The sequence in `id` (`<seq>` or `<taskId>:<seq>`).
    var sequence: Int64? { id.flatMap { Int64($0.split(separator: ":").last ?? "") } }
    /// The task JSON in `data`.
    var task: JSONValue? { data.flatMap { try? JSONValue.parse($0) } }
    var isPing: Bool { comments == ["ping"] && id == nil && event == nil && data == nil }

    /// Parses one block (lines without the blank separator line).
    init(block: String) {
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                comments.append(String(line.dropFirst().drop { $0 == " " }))
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let field = String(parts[0])
            var value = parts.count > 1 ? String(parts[1]) : ""
            if value.hasPrefix(" ") { value.removeFirst() }
            switch field {
            case "id": id = value
            case "event": event = value
            case "data": data = (data.map { $0 + "\n" } ?? "") + value
            case "retry": retry = Int(value)
            default: break
            }
        }
    }
}

/// An open event stream, read block by block.
struct SSEConnection {
    let status: Int
    let headers: HTTPHeaders
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var pending: [UInt8] = []

    init(response: HTTPClientResponse) {
        status = Int(response.status.code)
        headers = response.headers
        iterator = response.body.makeAsyncIterator()
    }

    /// The next block; nil when the server has closed the stream.
    mutating func next() async throws -> SSEFrame? {
        while true {
            if let end = Self.blockEnd(pending) {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                return SSEFrame(block: block)
            }
            guard let chunk = try await iterator.next() else {
                return nil
            }
            pending.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// Every block until the server closes the stream.
    mutating func rest() async throws -> [SSEFrame] {
        var frames: [SSEFrame] = []
        while let f = try await next() { frames.append(f) }
        return frames
    }

    /// Blocks until the first one matching `wanted` (included).
    mutating func until(_ wanted: (SSEFrame) -> Bool) async throws -> [SSEFrame] {
        var frames: [SSEFrame] = []
        while let f = try await next() {
            frames.append(f)
            if wanted(f) { return frames }
        }
        throw TestFailure("stream ended before the expected event: \(frames)")
    }

    private static func blockEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 0x0A && bytes[i + 1] == 0x0A { return i }
        return nil
    }
}

extension TestProxy {
    /// Opens an event stream (GET) and returns the connection; the caller reads it under a deadline.
    func openEvents(_ path: String, headers: [(String, String)] = []) async throws -> SSEConnection {
        var req = HTTPClientRequest(url: baseURL + path)
        req.method = .GET
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        return SSEConnection(response: try await http.execute(req, timeout: .seconds(300)))
    }

    /// Opens an event stream and reads it until the server closes it (failing after `timeout`).
    func readEvents(_ path: String, headers: [(String, String)] = [], timeout: Duration = .seconds(90)) async throws
        -> (status: Int, headers: HTTPHeaders, frames: [SSEFrame])
    {
        try await withDeadline("the event stream \(path) to end", timeout) {
            var connection = try await openEvents(path, headers: headers)
            let frames = connection.status == 200 ? try await connection.rest() : []
            return (connection.status, connection.headers, frames)
        }
    }
}
