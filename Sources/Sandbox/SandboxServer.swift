import DiscordKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The sandbox as one Service: HTTP + gateway server and the bots' job runner.
public final class SandboxServer: Service, Sendable {
    public let configuration: SandboxConfiguration
    /// The simulated Discord state (fault injection goes through it).
    public let world: SandboxWorld
    let bot: MidjourneyBot
    let logger: Logger
    private let boundPort = Locked<Int?>(nil)
    private let boundGatewayPort = Locked<Int?>(nil)
    private let work: AsyncStream<BotWork>
    private let workContinuation: AsyncStream<BotWork>.Continuation

    /// Creates the sandbox; it listens once `run` is called.
    public init(configuration: SandboxConfiguration, logger: Logger = Logger(label: "mjproxy.sandbox")) {
        self.configuration = configuration
        self.logger = logger
        self.world = SandboxWorld(configuration: configuration)
        self.bot = MidjourneyBot(world: world, configuration: configuration, logger: logger)
        (work, workContinuation) = AsyncStream<BotWork>.makeStream()
    }

    /// The bound port once listening (useful with port 0).
    public var port: Int? { boundPort.value }

    /// Waits until the server listens and returns its port.
    public func waitUntilListening(timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let p = boundPort.value, boundGatewayPort.value != nil { return p }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DiscordError.protocolViolation("sandbox did not start listening")
    }

    /// The local HTTP base URL (`http://host:port`) for REST calls, once listening.
    public var localBaseURL: String? { port.map { "http://\(configuration.host):\($0)" } }

    /// The public base URL of REST and CDN links, once listening.
    public var baseURL: String? { port.map { configuration.publicBaseURL ?? "http://\(configuration.host):\($0)" } }

    /// The gateway URL (`ws://host:port`), once listening.
    public var gatewayURL: String? { boundGatewayPort.value.map { "ws://\(configuration.host):\($0)" } }

    /// Serves until graceful shutdown or cancellation.
    public func run() async throws {
        let continuation = workContinuation
        let routes = SandboxRoutes(
            world: world, catalog: CommandCatalog(), gateway: SandboxGateway(world: world, logger: logger),
            bot: bot, submit: { continuation.yield($0) }, logger: logger)
        let restRouter = Router(context: BasicWebSocketRequestContext.self)
        routes.register(on: restRouter)
        let gatewayRouter = Router(context: BasicWebSocketRequestContext.self)
        routes.registerGateway(on: gatewayRouter)
        let world = self.world
        let boundPort = self.boundPort
        let boundGatewayPort = self.boundGatewayPort
        let host = configuration.host
        let rest = Application(
            router: restRouter,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await world.setBaseURL("http://\(host):\(port)")
                boundPort.withLock { $0 = port }
            },
            logger: logger
        )
        let gateway = Application(
            router: gatewayRouter,
            server: .http1WebSocketUpgrade(webSocketRouter: gatewayRouter, configuration: .init(maxFrameSize: 1 << 20, autoPing: .disabled)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.gatewayPort), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await world.setGatewayURL("ws://\(host):\(port)")
                boundGatewayPort.withLock { $0 = port }
            },
            logger: logger
        )
        let bot = self.bot
        let work = self.work
        // Both servers stop gracefully (on the caller's graceful shutdown, or when either ends): they stop
        // accepting, open requests finish, WebSockets are closed with 1001. Cancelling a Hummingbird server
        // instead can trap in NIO (a connection accepted meanwhile is never served: "Deinited NIOAsyncWriter
        // without calling finish()"), which crashed test runs.
        var serversConfiguration = ServiceGroupConfiguration(
            services: [rest, gateway].map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            logger: logger)
        serversConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        serversConfiguration.maximumCancellationDuration = nil
        let servers = ServiceGroup(configuration: serversConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { jobs in
                    for await item in work {
                        jobs.addTask {
                            switch item {
                            case .interaction(let interaction): await bot.handle(interaction)
                            case .reaction(let user, let message, let emoji): await bot.reacted(user: user, message: message, emoji: emoji)
                            case .inpaint(let token, let mask, let prompt): _ = await bot.inpaintSubmit(token: token, maskBase64: mask, prompt: prompt)
                            }
                        }
                    }
                }
            }
            let ended: Result<Void, any Error>
            do { ended = .success(try await servers.run()) } catch { ended = .failure(error) }
            continuation.finish()
            await world.closeAll()
            // The bots' jobs in flight (no server left to answer them).
            group.cancelAll()
            try ended.get()
        }
    }

    /// Runs the sandbox while `body` runs, then stops it gracefully and waits for it to end.
    public func serve<T: Sendable>(_ body: (SandboxServer) async throws -> T) async throws -> T {
        var configuration = ServiceGroupConfiguration(services: [self], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        configuration.maximumCancellationDuration = nil
        let group = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(self)) } catch { outcome = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try outcome.get()
        }
    }
}
