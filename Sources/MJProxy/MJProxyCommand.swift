import ArgumentParser
import Hummingbird
import Yams
import AsyncHTTPClient

@main
struct MJProxyCommand: AsyncParsableCommand {
    func run() async throws {}
}
