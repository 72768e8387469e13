import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// The S3-compatible server of the image mirror tests: moto's (PyPI `moto[server]`).
///
/// `scripts/test` starts `moto_server` and exports `MJPROXY_TEST_S3_ENDPOINT`; without it, a
/// `moto_server` from the test venv (`.build/conformance-venv`) is started for the test. In CI
/// (`CI=true`) a missing endpoint fails the test instead of skipping it.
enum MotoS3 {
    static let environment = ProcessInfo.processInfo.environment

    /// `MJPROXY_TEST_S3_ENDPOINT`, when set.
    static var configuredEndpoint: String? { environment["MJPROXY_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The venv's `moto_server`, when installed.
    static var venvServer: String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/conformance-venv/bin/moto_server").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Whether the S3 tests run: an endpoint or a server is there, or this is CI (where they must).
    static var enabled: Bool { configuredEndpoint != nil || venvServer != nil || environment["CI"] == "true" }

    /// Runs `body` with the endpoint of a running moto server.
    static func with<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        if let endpoint = configuredEndpoint { return try await body(endpoint) }
        guard let server = venvServer else {
            throw TestFailure("no S3 server: set MJPROXY_TEST_S3_ENDPOINT (scripts/test starts moto_server) or install moto[server] in .build/conformance-venv")
        }
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let endpoint = "http://127.0.0.1:\(port)"
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome: Result<T, any Error>
        do {
            try await eventually("moto_server to listen", timeout: .seconds(60), every: .milliseconds(100)) { () -> Bool? in
                guard let response = try? await http.execute(HTTPClientRequest(url: endpoint + "/"), timeout: .seconds(5)) else { return nil }
                let body = (try? await response.body.collect(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
                // moto's answer, not another test's server that took the port after it was picked.
                guard body.contains("ListAllMyBucketsResult") else {
                    if !process.isRunning { throw TestFailure("moto_server exited (port \(port) taken?)") }
                    return nil
                }
                return true
            }
            outcome = .success(try await body(endpoint))
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        // SIGKILL: the test process may ignore SIGTERM (service groups handle it), and children inherit that.
        kill(process.processIdentifier, SIGKILL)
        try? await eventually("moto_server to exit", timeout: .seconds(10), every: .milliseconds(50)) { process.isRunning ? nil : true }
        return try outcome.get()
    }

    /// A loopback port nobody listens on now.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
