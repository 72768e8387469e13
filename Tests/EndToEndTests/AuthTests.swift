import DiscordKit
import Foundation
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// With an API secret configured every /mj route needs it, in any of the accepted header forms.
@Suite struct AuthTests {
    @Test func secretIsRequiredAndAcceptedInEveryForm() async throws {
        let config = TestProxy.config { $0.apiSecret = "s3cret" }
        try await TestProxy.with(config) { proxy in
            let missing = try await proxy.request(.GET, "/mj/task/list")
            #expect(missing.status == 401)
            #expect(missing.body == #"{"code":401,"description":"unauthorized: missing or invalid secret"}"#)
            let wrong = try await proxy.request(.GET, "/mj/task/list", headers: [("mj-api-secret", "nope")])
            #expect(wrong.status == 401)
            for header in [("mj-api-secret", "s3cret"), ("mj-api-secret", "Bearer s3cret"), ("Authorization", "Bearer s3cret"), ("Authorization", "bearer s3cret"), ("Authorization", "s3cret")] {
                let ok = try await proxy.request(.GET, "/mj/task/list", headers: [header])
                #expect(ok.status == 200, "\(header)")
            }
            let submit = try await proxy.request(.POST, "/mj/submit/imagine", body: #"{"prompt":"x"}"#)
            #expect(submit.status == 401)
            // Operational routes stay open.
            #expect(try await proxy.request(.GET, "/health").status == 200)
        }
    }

    @Test func imageSeedMayGoWithoutSecretWhenSwitchedOn() async throws {
        let config = TestProxy.config {
            $0.apiSecret = "s3cret"
            $0.imageSeedWithoutSecret = true
        }
        try await TestProxy.with(config) { proxy in
            // No secret header at all: allowed (unknown task → 404, not 401).
            let open = try await proxy.request(.GET, "/mj/task/1234567890123456/image-seed")
            #expect(open.status == 404)
            // A wrong secret is still refused, and other routes still need it.
            let wrong = try await proxy.request(.GET, "/mj/task/1234567890123456/image-seed", headers: [("mj-api-secret", "nope")])
            #expect(wrong.status == 401)
            let fetch = try await proxy.request(.GET, "/mj/task/1234567890123456/fetch")
            #expect(fetch.status == 401)
        }
    }
}
