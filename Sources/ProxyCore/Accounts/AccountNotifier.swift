import Crypto
import DiscordKit
import Foundation
import Logging

/// An operator event about an account (`account.disabled`, `account.paused`, `account.resumed`,
/// `account.mode`), sent to the global webhook; captchas also go to the verification hook.
public struct AccountEvent: Sendable, Equatable {
    public var event: String
    public var accountId: String
    public var reason: String?
    /// For `account.paused`: the challenge a solver opens.
    public var challengeURL: String?
    public var time: Int64

    /// Creates an event.
    public init(event: String, accountId: String, reason: String? = nil, challengeURL: String? = nil, time: Int64 = nowMillis()) {
        self.event = event
        self.accountId = accountId
        self.reason = reason
        self.challengeURL = challengeURL
        self.time = time
    }

    /// The webhook body: `{"event","account","reason","challengeUrl","time"}`.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("event", .string(event)), ("account", .string(accountId))]
        if let reason { pairs.append(("reason", .string(reason))) }
        if let challengeURL { pairs.append(("challengeUrl", .string(challengeURL))) }
        pairs.append(("time", .int(time)))
        return .object(pairs)
    }
}

/// Sends account events. Not through the task outbox: its rows belong to tasks (ordered per task,
/// superseded by newer task states), and an account event has no task; a few retries in memory
/// (1 s doubling, `attempts` in all) are enough for an operator signal that is also logged.
public struct AccountNotifier: Sendable {
    /// Global webhook (contract §9) for `account.*` events; nil = none.
    public var globalHook: String?
    /// The verification hook (`verification.hookUrl`): gets `{account, challengeUrl, message}` on a captcha.
    public var verificationHook: String?
    /// HMAC secret for `X-Mjproxy-Signature` (as task webhooks).
    public var secret: String?
    public var transport: any WebhookTransport
    public var attempts: Int
    public var firstRetryDelay: Duration
    public var userAgent: String

    /// Creates a notifier.
    public init(
        globalHook: String?, verificationHook: String?, secret: String? = nil, transport: any WebhookTransport, attempts: Int = 5,
        firstRetryDelay: Duration = .seconds(1), userAgent: String = "mjproxy/0.1.0"
    ) {
        self.globalHook = globalHook
        self.verificationHook = verificationHook
        self.secret = secret
        self.transport = transport
        self.attempts = attempts
        self.firstRetryDelay = firstRetryDelay
        self.userAgent = userAgent
    }

    /// Delivers `event` to the global hook (if any).
    public func deliver(_ event: AccountEvent, logger: Logger) async {
        guard let url = globalHook, !url.isEmpty else { return }
        await post(url: url, event: event.event, body: event.json, logger: logger)
    }

    /// Calls the verification hook with what a solver needs.
    public func requestVerification(accountId: String, challengeURL: String?, message: String, logger: Logger) async {
        guard let url = verificationHook, !url.isEmpty else { return }
        var pairs: [(String, JSONValue)] = [("account", .string(accountId))]
        pairs.append(("challengeUrl", challengeURL.map(JSONValue.string) ?? .null))
        pairs.append(("message", .string(message)))
        await post(url: url, event: "account.verification", body: .object(pairs), logger: logger)
    }

    func post(url: String, event: String, body: JSONValue, logger: Logger) async {
        let text = body.compactString
        var headers = [
            ("Content-Type", "application/json"), ("User-Agent", userAgent), ("X-Mjproxy-Event", event),
            ("X-Mjproxy-Delivery", UUID().uuidString.lowercased()),
        ]
        if let secret, !secret.isEmpty {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            headers.append(("X-Mjproxy-Signature", "sha256=" + TextFormat.hex(mac)))
        }
        var delay = firstRetryDelay
        for attempt in 1...max(1, attempts) {
            do {
                let status = try await transport.post(url: url, headers: headers, body: Array(text.utf8), timeout: .seconds(10))
                if (200..<300).contains(status) { return }
                logger.warning("account event not accepted", metadata: ["event": "\(event)", "status": "\(status)", "attempt": "\(attempt)"])
            } catch {
                logger.warning("account event failed", metadata: ["event": "\(event)", "error": "\(error)", "attempt": "\(attempt)"])
            }
            guard attempt < attempts else { break }
            do { try await Task.sleep(for: delay) } catch { return }
            delay = delay * 2
        }
    }
}
