import ArgumentParser
import CoreMetrics
import Foundation
import Logging
import Sandbox
import ServiceLifecycle
import UnixSignals

/// `mjproxy`: serves the midjourney-proxy API (against the built-in sandbox when no account is configured).
@main
struct MJProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mjproxy",
        abstract: "A Midjourney proxy: the midjourney-proxy task API over Discord user accounts.",
        discussion: """
            With no configuration mjproxy runs against its built-in sandbox (a local Discord with a simulated
            Midjourney bot) with 3 simulated accounts, so everything works offline. Configure real accounts in
            mjproxy.yaml (see README) or MJPROXY_ACCOUNT_* variables to use Discord.
            """,
        subcommands: [Serve.self, SandboxCommand.self],
        defaultSubcommand: Serve.self)
}

/// `mjproxy [serve]`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API (the default).")

    @Option(help: "Address to listen on (default 127.0.0.1; MJPROXY_HTTP_HOST).") var host: String?
    @Option(help: "Port to listen on (default 8080; MJPROXY_HTTP_PORT).") var port: Int?
    @Option(help: "YAML configuration file (default ./mjproxy.yaml when present).") var config: String?

    func run() async throws {
        var appConfig: AppConfig
        do {
            appConfig = try ConfigLoader.load(path: config, environment: ProcessInfo.processInfo.environment)
            if let host { appConfig.host = host }
            if let port {
                guard (0...65535).contains(port) else { throw ConfigError(key: "--port", problem: "must be 0-65535") }
                appConfig.port = port
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("mjproxy: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        // After the configuration: `log.format` / `log.level` may come from the file.
        bootstrapLogging(appConfig.log)
        let logger = Logger(label: "mjproxy")
        if HeapPolicy.apply(environment: ProcessInfo.processInfo.environment) {
            logger.debug("heap thresholds set", metadata: ["mmapBytes": "\(HeapPolicy.mmapThreshold)", "trimBytes": "\(HeapPolicy.trimThreshold)"])
        }
        if appConfig.sandboxEnabled {
            logger.info("no Discord account configured: running against the built-in sandbox", metadata: ["accounts": "\(appConfig.sandbox.accounts)"])
        }
        let runtime = try await AppRuntime(config: appConfig, logger: logger)
        // Once per process: libraries that report through swift-metrics land in the runtime's registry too.
        MetricsSystem.bootstrap(runtime.metricsFactory)
        try await runtime.run()
    }
}

/// `mjproxy sandbox`: the simulated Discord alone, for any Discord client.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Run the sandbox (simulated Discord + Midjourney) alone.")

    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "Port of REST and CDN (0 = any free port).") var port: Int = 8081
    @Option(help: "Port of the gateway WebSocket (0 = any free port).") var gatewayPort: Int = 8082
    @Option(help: "Delay multiplier: 1 is about real Midjourney timing, 0.05 is fast.") var speedFactor: Double = 1
    @Option(help: "Longest side of one grid tile in pixels (16-4096).") var tileSize: Int = 1024
    @Option(help: "Channels of the sandbox guild (one per account that should have its own; 1-2000).") var channels: Int = 10
    @Flag(help: "Serve the fault-injection control API (/sandbox/faults, /sandbox/disconnect, /sandbox/op, /sandbox/settings, /sandbox/stats).")
    var controlRoutes = false
    @Flag(help: "Channel n is visible only to the user of token sandbox-token-n (no fan-out of every message to every user).")
    var privateChannels = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard (0...65535).contains(gatewayPort) else { throw ValidationError("--gateway-port must be 0-65535") }
        guard speedFactor.isFinite, speedFactor >= 0, speedFactor <= 1000 else { throw ValidationError("--speed-factor must be a number in 0...1000") }
        guard (16...4096).contains(tileSize) else { throw ValidationError("--tile-size must be 16-4096") }
        guard (1...2000).contains(channels) else { throw ValidationError("--channels must be 1-2000") }
    }

    func run() async throws {
        bootstrapLogging(LogSettings.fromEnvironment(ProcessInfo.processInfo.environment))
        let logger = Logger(label: "mjproxy.sandbox")
        let server = SandboxServer(
            configuration: SandboxConfiguration(
                host: host, port: port, gatewayPort: gatewayPort, speedFactor: speedFactor, tileSize: tileSize, channelCount: channels,
                controlRoutes: controlRoutes, privateChannels: privateChannels),
            logger: logger)
        let announce = AnnounceSandbox(server: server)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: server), .init(service: announce, successTerminationBehavior: .ignore)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Prints the sandbox URLs once it listens.
struct AnnounceSandbox: Service {
    let server: SandboxServer
    func run() async throws {
        let port = try await server.waitUntilListening()
        let base = server.baseURL ?? "http://127.0.0.1:\(port)"
        let ws = server.gatewayURL ?? ""
        let text = """
            mjproxy sandbox listening
              REST     \(base)/api/v9   (and /api/v10)
              gateway  \(ws)/?v=9&encoding=json&compress=zlib-stream
              CDN      \(base)/attachments/…
              guild    \(SandboxIDs.guildId), channels \(SandboxIDs.channelId(1))…\(SandboxIDs.channelId(server.configuration.channelCount))
              tokens   any non-empty string is a user (tokens starting with "invalid" are refused)

            """
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
