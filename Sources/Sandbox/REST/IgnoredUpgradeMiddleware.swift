import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird

/// Web clients (curl_cffi impersonating Chrome) send `Connection: Upgrade, HTTP2-Settings` with
/// `Upgrade: h2c` on plain-HTTP requests. The server ignores the upgrade; but a connection whose
/// request asked for one is not reused cleanly by the HTTP/1 stack, so such answers say
/// `Connection: close` and the client opens a fresh connection for its next request.
struct IgnoredUpgradeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let connection = request.headers[.connection], connection.lowercased().contains("upgrade") {
            response.headers[.connection] = "close"
        }
        return response
    }
}
