import Crypto
import DiscordKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// Webhooks: task changes are POSTed in order, with retries after failures, signed when a secret is set.
@Suite struct WebhookTests {
    /// A webhook receiver that fails its first `failFirst` requests with 500.
    actor Receiver {
        var received: [(event: String, sequence: Int, body: String, signature: String?, delivery: String)] = []
        var attempts = 0
        let failFirst: Int
        init(failFirst: Int) { self.failFirst = failFirst }
        func record(_ event: String, _ seq: Int, _ body: String, _ sig: String?, _ delivery: String) -> Bool {
            attempts += 1
            if attempts <= failFirst { return false }
            received.append((event, seq, body, sig, delivery))
            return true
        }
        func events() -> [String] { received.map(\.event) }
        func all() -> [(event: String, sequence: Int, body: String, signature: String?, delivery: String)] { received }
    }

    @Test func deliversEveryChangeInOrderWithRetry() async throws {
        let receiver = Receiver(failFirst: 2)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let ok = await receiver.record(
                request.headers[HTTPField.Name("X-Mjproxy-Event")!] ?? "", Int(request.headers[HTTPField.Name("X-Mjproxy-Sequence")!] ?? "") ?? -1,
                body, request.headers[HTTPField.Name("X-Mjproxy-Signature")!], request.headers[HTTPField.Name("X-Mjproxy-Delivery")!] ?? "")
            return Response(status: ok ? .ok : .internalServerError)
        }
        let retries = try await withLocalServer(router) { port in
            let hook = "http://127.0.0.1:\(port)/hook"
            let config = TestProxy.config {
                $0.webhookSecret = "whsec"
                $0.outboundAllowPrivateNetworks = true  // the receiver is on loopback
            }
            return try await TestProxy.with(config) { proxy in
                let id = try await proxy.imagine("webhook cat", extra: #","notifyHook":"\#(hook)""#)
                _ = try await proxy.waitFinished(id)
                let deadline = ContinuousClock.now + .seconds(30)
                while await !receiver.events().contains("task.success") {
                    guard ContinuousClock.now < deadline else { throw TestFailure("no success webhook: \(await receiver.events())") }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return proxy.runtime.webhooks.counters.value["retry", default: 0]
            }
        }
        // The dispatcher counted the retries of the two failed attempts.
        #expect(retries >= 2)
        let received = await receiver.all()
        let events = received.map(\.event)
        #expect(events.last == "task.success")
        #expect(events.allSatisfy { ["task.submitted", "task.progress", "task.success"].contains($0) }, "\(events)")
        // Sequences strictly increase: never out of order.
        let seqs = received.map(\.sequence)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "\(seqs)")
        // The first two attempts failed and were retried (or superseded by a newer state).
        #expect(await receiver.attempts >= received.count + 2)
        // Signature = HMAC-SHA256(secret, body).
        for r in received {
            let expected = "sha256=" + hmacHex(key: "whsec", message: r.body)
            #expect(r.signature == expected)
        }
        let last = try JSONValue.parse(try #require(received.last?.body))
        #expect(last["status"]?.stringValue == "SUCCESS")
        #expect(last["progress"]?.stringValue == "100%")
    }
}


func hmacHex(key: String, message: String) -> String {
    HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8))).map { String(format: "%02x", $0) }.joined()
}
