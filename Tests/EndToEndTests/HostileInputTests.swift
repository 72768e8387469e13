import AsyncHTTPClient
import DiscordKit
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import HTTPAPI
@testable import MJProxy

/// Requests that once stopped the process (issue 7), the bounds applied while reading a request, and
/// the sandbox's control routes being opt-in. The process must answer every one and stay alive.
@Suite struct HostileInputTests {
    /// The process still answers `/health`.
    func alive(_ proxy: TestProxy) async throws {
        let health = try await proxy.request(.GET, "/health")
        #expect(health.status == 200)
    }

    @Test func outOfRangeIdsAreValidationErrors() async throws {
        try await TestProxy.with { proxy in
            for body in [#"{"ids":[1e19]}"#, #"{"ids":[-1e19]}"#, #"{"ids":[9223372036854775808]}"#, #"{"ids":[1.5]}"#] {
                let r = try await proxy.request(.POST, "/mj/task/list-by-condition", body: body)
                #expect(r.status == 400, "\(body)")
                let answer = try JSONValue.parse(r.body)
                #expect(answer["code"]?.intValue == 4)
                #expect(answer["description"]?.stringValue == "ids must be an array of task ids")
            }
            let ok = try await proxy.request(.POST, "/mj/task/list-by-condition", body: #"{"ids":[1e15, "x"]}"#)
            #expect(ok.status == 200 && ok.body == "[]")
            let action = try await proxy.post("/mj/submit/action", #"{"taskId":1e19,"customId":"MJ::JOB::upsample::1::x"}"#)
            #expect(action["code"]?.intValue == 4)
            #expect(action["description"]?.stringValue == "taskId has the wrong type")
            let change = try await proxy.post("/mj/submit/change", #"{"taskId":"1","action":"UPSCALE","index":1e19}"#)
            #expect(change["code"]?.intValue == 4)
            try await alive(proxy)
        }
    }

    @Test func extremeAspectRatiosReachTheSandboxAndFinish() async throws {
        try await TestProxy.with { proxy in
            let digits = String(repeating: "9", count: 400)
            for prompt in ["cat --ar 1:\(digits)", "cat --ar \(digits):1", "cat --ar 0:0", "cat --aspect 1:99999999999999999999"] {
                let id = try await proxy.imagine(prompt)
                let (task, _) = try await proxy.waitFinished(id)
                #expect(task["status"]?.stringValue == "SUCCESS", "\(prompt.prefix(30)): \(task["failReason"]?.stringValue ?? "")")
            }
            try await alive(proxy)
        }
    }

    @Test func sandboxControlRoutesAreOffByDefault() async throws {
        try await TestProxy.with { proxy in
            let base = try #require(proxy.runtime.sandbox?.localBaseURL)
            for path in ["/sandbox/faults", "/sandbox/disconnect", "/sandbox/op", "/sandbox/settings"] {
                let r = try await proxy.request(.POST, base + path, body: #"{"token":"\#(TestProxy.token(1))","code":4000}"#)
                #expect(r.status == 404, "\(path)")
            }
            #expect(try await proxy.request(.GET, base + "/sandbox/stats").status == 404)
            #expect(await proxy.runtime.sandbox?.world.stats.closedByFault == 0)
        }
    }

    @Test func sandboxControlRoutesRefuseInvalidCloseCodes() async throws {
        let config = TestProxy.config { $0.sandbox.controlRoutes = true }
        try await TestProxy.with(config) { proxy in
            let base = try #require(proxy.runtime.sandbox?.localBaseURL)
            let token = TestProxy.token(1)
            for code in ["70000", "-1", "1e400", "1e19", "999", "\"4000\""] {
                let r = try await proxy.request(.POST, base + "/sandbox/disconnect", body: #"{"token":"\#(token)","code":\#(code)}"#)
                #expect(r.status == 400, "code \(code)")
            }
            let op = try await proxy.request(.POST, base + "/sandbox/op", body: #"{"token":"\#(token)","op":1e18}"#)
            #expect(op.status == 400)
            let ok = try await proxy.request(.POST, base + "/sandbox/disconnect", body: #"{"token":"\#(token)","code":4000}"#)
            #expect(ok.status == 200)
            #expect(try JSONValue.parse(ok.body)["closed"]?.intValue == 1)
            #expect(try await proxy.request(.GET, base + "/sandbox/stats").status == 200)
            try await alive(proxy)
        }
    }

    @Test func configRefusesNonFiniteNumbers() throws {
        for (yaml, key) in [
            ("sandbox:\n  speedFactor: .inf\n", "sandbox.speedFactor"), ("sandbox:\n  timeoutMinutes: .nan\n", "sandbox.timeoutMinutes"),
            ("sandbox:\n  timeoutMinutes: 1e9\n", "sandbox.timeoutMinutes"),
        ] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-\(UUID().uuidString).yaml").path
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try ConfigLoader.load(path: path, environment: [:])
                Issue.record("\(yaml) was accepted")
            } catch let error as ConfigError {
                #expect(error.key == key)
            }
        }
        #expect(throws: ConfigError.self) { _ = try ConfigLoader.load(path: nil, environment: ["MJPROXY_SANDBOX_SPEED_FACTOR": "inf"]) }
        let on = try ConfigLoader.load(path: nil, environment: ["MJPROXY_SANDBOX_CONTROL_ROUTES": "true"])
        #expect(on.sandbox.controlRoutes)
        #expect(try ConfigLoader.load(path: nil, environment: [:]).sandbox.controlRoutes == false)
    }

    @Test func oversizedBodyIsRefusedWhileReading() async throws {
        try await TestProxy.with { proxy in
            let big = "{\"prompt\":\"" + String(repeating: "a", count: 33 << 20) + "\"}"
            let r = try await proxy.request(.POST, "/mj/submit/imagine", body: big)
            #expect(r.status == 413)
            #expect(try JSONValue.parse(r.body)["code"]?.intValue == 4)
            try await alive(proxy)
        }
    }

    @Test func imagesAreCheckedByMagicBytesBeforeTheRestIsDecoded() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        // Not an image: refused after the first 12 bytes even though the rest is not base64 at all.
        #expect(ImageInput.decodeImage(Substring(Data("hello world!".utf8).base64EncodedString() + "%%%%"), maxBytes: 1 << 20) == .notAnImage)
        #expect(ImageInput.decodeImage("@@@", maxBytes: 1 << 20) == .invalidBase64)
        #expect(ImageInput.decodeImage("QQ=a", maxBytes: 1 << 20) == .invalidBase64)
        #expect(ImageInput.decodeImage("A", maxBytes: 1 << 20) == .invalidBase64)
        // A PNG header followed by more than the limit: too large, decoding stops at the limit.
        let huge = Data(png + [0]).base64EncodedString() + String(repeating: "A", count: 6 << 20)
        #expect(ImageInput.decodeImage(Substring(huge), maxBytes: 4 << 20) == .tooLarge)
        // A small image (padding optional, whitespace ignored) decodes to its exact bytes.
        let bytes = png + [1, 2, 3, 4, 5]
        let text = Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let spaced = String(text.prefix(8)) + " \n" + String(text.dropFirst(8))
        #expect(ImageInput.decodeImage(Substring(spaced), maxBytes: 1 << 20) == .image(bytes, ImageInput.ImageKind(mime: "image/png", ext: "png")))
        // A short GIF (under 12 bytes) is still recognised at the end.
        let gif = Array("GIF89a".utf8) + [0, 0]
        #expect(ImageInput.decodeImage(Substring(Data(gif).base64EncodedString()), maxBytes: 1 << 20) == .image(gif, ImageInput.ImageKind(mime: "image/gif", ext: "gif")))
    }

    @Test func aTricklingBodyGetsADeadline() async throws {
        let router = Router()
        router.post("/slow") { request, _ -> Response in
            switch await BodyReader.read(request, upTo: 1 << 20, timeout: .milliseconds(300)) {
            case .body(let b): return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "body \(b.count)")))
            case .tooLarge: return Response(status: .contentTooLarge)
            case .timedOut: return Response(status: .requestTimeout)
            }
        }
        try await withLocalServer(router) { port in
            // Declares 100 bytes, sends 10, then stays silent (longer than the test waits).
            let answer = try await RawHTTP.exchange(
                port: port, head: "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", body: Array(repeating: 0x61, count: 10),
                waitAfterSend: .seconds(20))
            // The client never sends the rest: only the read deadline can produce this answer.
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(60))")
            // A body that arrives in time is read whole.
            let whole = try await RawHTTP.exchange(
                port: port, head: "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n", body: Array(repeating: 0x61, count: 10),
                waitAfterSend: .seconds(20))
            #expect(whole.hasSuffix("body 10"), "\(whole.suffix(40))")
        }
    }
}

/// A minimal HTTP/1.1 exchange over a blocking POSIX socket: sends the bytes as given (so a test can
/// declare more body than it sends) and reads until the server answers in full, closes, or `wait` passes.
enum RawHTTP {
    /// Runs the blocking socket exchange on a thread of its own: blocking a thread of the (2-thread)
    /// cooperative pool would starve the very server timers the test is about.
    static func exchange(port: Int, head: String, body: [UInt8], waitAfterSend: Duration) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, head: head, body: body, waitAfterSend: waitAfterSend) })
            }
        }
    }

    private static func blockingExchange(port: Int, head: String, body: [UInt8], waitAfterSend: Duration) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect() failed") }
        let seconds = Int(waitAfterSend.components.seconds)
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(head.utf8) + body
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw TestFailure("send() failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }  // closed, or the receive timeout passed
            received += buffer[0..<n]
            let text = String(decoding: received, as: UTF8.self)
            // One complete answer is enough (the server may keep the connection open).
            if let end = text.range(of: "\r\n\r\n"), let length = contentLength(text[..<end.lowerBound]),
                text.utf8.count - text[..<end.upperBound].utf8.count >= length
            {
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func contentLength(_ head: Substring) -> Int? {
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
