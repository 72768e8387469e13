import DiscordKit
import Foundation
import Logging
import ProxyCore
import Sandbox
import Testing

@testable import MJProxy

/// `log.format: json`: one valid JSON object per line, with the fixed keys, merged metadata and
/// escaping that keeps hostile text on one line.
@Suite struct JSONLogHandlerTests {
    /// A logger whose handler writes into the returned box (no global bootstrap: each test has its own).
    static func capture(level: Logger.Level = .info, provider: Logger.MetadataProvider? = nil) -> (Logger, Locked<[String]>) {
        let lines = Locked<[String]>([])
        var handler = JSONLogHandler(label: "mjproxy.test", metadataProvider: provider, output: { line in lines.withLock { $0.append(line) } }, now: { 1_700_000_000_123 })
        handler.logLevel = level
        return (Logger(label: "mjproxy.test", factory: { _ in handler }), lines)
    }

    /// Parses one output line, checking it is exactly one line.
    static func parse(_ line: String) throws -> JSONValue {
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false && line.dropLast().contains("\r") == false)
        return try JSONValue.parse(String(line.dropLast()))
    }

    @Test func oneObjectPerLineWithTheFixedKeys() throws {
        var (logger, lines) = Self.capture()
        logger[metadataKey: "account"] = "acc-1"
        logger.info("task submitted", metadata: ["task": "1795613139929472"])
        logger.debug("below the level: not written")
        logger.warning("second")
        #expect(lines.value.count == 2)
        let first = try Self.parse(lines.value[0])
        // The keys in their fixed order (the parser does not keep order: read the raw line).
        let offsets = ["timestamp", "level", "label", "message", "source", "metadata"].map { key in
            lines.value[0].range(of: "\"\(key)\":").map { lines.value[0].distance(from: lines.value[0].startIndex, to: $0.lowerBound) } ?? -1
        }
        #expect(offsets.first == 1 && offsets == offsets.sorted() && !offsets.contains(-1), "\(offsets)")
        #expect(first["timestamp"]?.stringValue == "2023-11-14T22:13:20.123000+00:00")
        #expect(first["level"]?.stringValue == "info")
        #expect(first["label"]?.stringValue == "mjproxy.test")
        #expect(first["message"]?.stringValue == "task submitted")
        #expect(first["source"]?.stringValue == "EndToEndTests")
        #expect(first["metadata"]?["account"]?.stringValue == "acc-1")
        #expect(first["metadata"]?["task"]?.stringValue == "1795613139929472")
        #expect(try Self.parse(lines.value[1])["level"]?.stringValue == "warning")
    }

    @Test func hostileTextIsEscaped() throws {
        let (logger, lines) = Self.capture()
        let nasty = "quote \" backslash \\ newline \n return \r tab \t bell \u{07} nul \u{00} unicode 雨 ☂︎ \u{2028}"
        logger.error("\(nasty)", metadata: ["detail": "\(nasty)", "\(nasty)": "key too"])
        let line = try #require(lines.value.first)
        let object = try Self.parse(line)
        #expect(object["message"]?.stringValue == nasty)
        #expect(object["metadata"]?["detail"]?.stringValue == nasty)
        #expect(object["metadata"]?[nasty]?.stringValue == "key too")
        // Foundation's parser agrees that it is one valid JSON document.
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
    }

    @Test func nestedMetadataAndPrecedence() throws {
        let provider = Logger.MetadataProvider { ["request": "r-1", "account": "from-provider"] }
        var (logger, lines) = Self.capture(provider: provider)
        logger[metadataKey: "account"] = "from-logger"
        logger.notice(
            "nested",
            metadata: [
                "task": "t-1", "ids": ["a", "b"], "limits": ["core": "3", "queue": .stringConvertible(10)],
            ])
        let line = try #require(lines.value.first)
        let m = try #require(try Self.parse(line)["metadata"])
        #expect(m["request"]?.stringValue == "r-1")
        #expect(m["account"]?.stringValue == "from-logger")
        #expect(m["task"]?.stringValue == "t-1")
        #expect(m["ids"] == .array([.string("a"), .string("b")]))
        #expect(m["limits"]?["core"]?.stringValue == "3")
        #expect(m["limits"]?["queue"]?.stringValue == "10")
        // Keys sorted: identical events give identical lines.
        let offsets = ["account", "ids", "limits", "request", "task"].compactMap { line.range(of: "\"\($0)\":")?.lowerBound }
        #expect(offsets.count == 5 && offsets == offsets.sorted())
    }
}

/// Task-related log lines name the task and the account; no line carries a token.
@Suite struct TaskLogMetadataTests {
    @Test func failedSubmissionLogsTaskAndAccount() async throws {
        let (logger, lines) = JSONLogHandlerTests.capture(level: .debug)
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config, logger: logger) { proxy in
            let sandbox = try #require(proxy.runtime.sandbox)
            let account = try #require(await proxy.runtime.pool.all.first?.config.id)
            // Every interaction answers 429: the REST client gives up and the task fails.
            await sandbox.world.setCondition(.rateLimitStorm, forToken: TestProxy.token(1))
            let id = try await proxy.imagine("always rate limited")
            let (task, _) = try await proxy.waitFinished(id)
            #expect(task["status"]?.stringValue == "FAILURE")
            let parsed = try lines.value.map { try JSONLogHandlerTests.parse($0) }
            let failed = try #require(parsed.first { $0["message"]?.stringValue == "submitting to discord failed" })
            #expect(failed["metadata"]?["task"]?.stringValue == id)
            #expect(failed["metadata"]?["account"]?.stringValue == account)
            let limited = parsed.filter { $0["message"]?.stringValue == "discord rate limited" }
            #expect(!limited.isEmpty && limited.allSatisfy { $0["metadata"]?["account"]?.stringValue == account })
            // Any line about a task names its account too.
            for line in parsed where line["metadata"]?["task"] != nil {
                #expect(line["metadata"]?["account"] != nil, "\(line.compactString)")
            }
            #expect(!lines.value.contains { $0.contains("sandbox-token") })
        }
    }
}
