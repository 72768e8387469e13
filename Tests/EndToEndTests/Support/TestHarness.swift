import AsyncHTTPClient
import DiscordKit
import Foundation
import Hummingbird
import ImageMirror
import Logging
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import ServiceLifecycle
import Testing

@testable import MJProxy

/// Runs a whole mjproxy (API + in-process sandbox + SQLite store) on free ports for one test.
struct TestProxy {
    let runtime: AppRuntime
    let baseURL: String
    let http: HTTPClient

    /// Sandbox defaults for tests: fast jobs, tiny images.
    static func config(storePath: String? = nil, _ tweak: (inout AppConfig) -> Void = { _ in }) -> AppConfig {
        var c = AppConfig()
        c.port = 0
        c.storePath = storePath ?? FileManager.default.temporaryDirectory.appendingPathComponent("mjproxy-test-\(UUID().uuidString).sqlite").path
        c.sandbox.port = 0
        c.sandbox.gatewayPort = 0
        c.sandbox.speedFactor = 0.02
        c.sandbox.tileSize = 64
        c.sandbox.accounts = 2
        // Tests that need the image mirror turn it on (links stay the sandbox's otherwise).
        c.images.backend = .off
        tweak(&c)
        return c
    }

    /// Starts a proxy, runs `body` against it, then stops it (`gracefulShutdownLimit`: see `AppRuntime.run`).
    static func with<T: Sendable>(
        _ config: AppConfig = TestProxy.config(), waitReady: Bool = true, logger: Logger? = nil, gracefulShutdownLimit: Duration? = nil,
        _ body: @Sendable (TestProxy) async throws -> T
    ) async throws -> T {
        // The given logger (a test that reads the lines), else a quiet one (MJPROXY_TEST_LOG=1 for debug output).
        let logger =
            logger
            ?? {
                var quiet = Logger(label: "test")
                quiet.logLevel = ProcessInfo.processInfo.environment["MJPROXY_TEST_LOG"] != nil ? .debug : .critical
                return quiet
            }()
        let runtime = try await AppRuntime(config: config, logger: logger)
        // Enough connections for the tests that submit dozens of requests at once (the default is 8 per host).
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 96)
        clientConfiguration.timeout.connect = .seconds(30)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await runtime.run(signals: false, gracefulShutdownLimit: gracefulShutdownLimit)
                return nil
            }
            let proxy: TestProxy
            do {
                // The bound port comes from the server's onServerRunning: no polling for it.
                let port = try await withDeadline("the proxy to listen") { await runtime.listeningPort() }
                proxy = TestProxy(runtime: runtime, baseURL: "http://127.0.0.1:\(port)", http: http)
                if waitReady {
                    try await eventually("the proxy to be ready") { await runtime.readiness().0 ? true : nil }
                }
            } catch {
                try? await http.shutdown()
                await runtime.shutdown()
                group.cancelAll()
                throw error
            }
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(proxy)) } catch { outcome = .failure(error) }
            try? await http.shutdown()
            // Stop like SIGTERM does, so the store is closed cleanly; then wait for the runtime to end.
            await runtime.shutdown()
            try await group.waitForAll()
            return try outcome.get()
        }!
    }

    /// One HTTP exchange: status, headers and body text.
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws
        -> (status: Int, headers: HTTPHeaders, body: String)
    {
        var req = HTTPClientRequest(url: path.hasPrefix("http") ? path : baseURL + path)
        req.method = method
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body { req.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(req, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, String(buffer: buffer))
    }

    /// Raw bytes of a URL.
    func download(_ url: String) async throws -> (status: Int, contentType: String?, bytes: [UInt8]) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers.first(name: "Content-Type"), Array(buffer.readableBytesView))
    }

    /// POST a JSON body and parse the JSON answer.
    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> JSONValue {
        let r = try await request(.POST, path, body: body, headers: headers)
        return try JSONValue.parse(r.body)
    }

    /// GET and parse JSON.
    func get(_ path: String, headers: [(String, String)] = []) async throws -> JSONValue {
        try JSONValue.parse(try await request(.GET, path, headers: headers).body)
    }

    /// Polls a task until it is finished; returns it and every distinct progress value seen.
    func waitFinished(_ id: String, timeout: Duration = .seconds(60)) async throws -> (task: JSONValue, progress: [String]) {
        let seen = Locked<[String]>([])
        let task = try await eventually("task \(id) to finish", timeout: timeout, every: .milliseconds(10)) { () -> JSONValue? in
            let task = try await get("/mj/task/\(id)/fetch")
            if let p = task["progress"]?.stringValue { seen.withLock { if $0.last != p { $0.append(p) } } }
            guard let status = task["status"]?.stringValue, ["SUCCESS", "FAILURE", "CANCEL"].contains(status) else { return nil }
            return task
        }
        return (task, seen.value)
    }

    /// Submits an imagine and returns the task id (expects code 1 or 22).
    func imagine(_ prompt: String, extra: String = "") async throws -> String {
        let answer = try await post("/mj/submit/imagine", #"{"prompt":\#(JSONValue.string(prompt).compactString)\#(extra)}"#)
        guard let code = answer["code"]?.intValue, code == 1 || code == 22, let id = answer["result"]?.stringValue else {
            throw TestFailure("imagine refused: \(answer.compactString)")
        }
        return id
    }

    /// The sandbox token of account `n` (1-based).
    static func token(_ n: Int) -> String { "sandbox-token-\(n)" }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs a local HTTP server for `router` (a webhook receiver, a fake translation API…) on a free
/// loopback port while `body` runs.
func withLocalServer<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: (Int) async throws -> T) async throws -> T {
    let port = OneShot<Int>()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in port.fulfil(channel.localAddress?.port ?? 0) })
    var configuration = ServiceGroupConfiguration(services: [app], logger: Logger(label: "test.local-server"))
    // Stopped gracefully (open connections finish) rather than cancelled, within a bound.
    configuration.maximumGracefulShutdownDuration = .seconds(5)
    let services = ServiceGroup(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(try await withDeadline("the local server to listen") { await port.value() }))
        } catch {
            outcome = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}
