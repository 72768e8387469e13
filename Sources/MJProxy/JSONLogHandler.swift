import DiscordKit
import Foundation
import Logging
import ProxyCore
import Synchronization

/// A swift-log handler writing one JSON object per line (`log.format: json`), for log collectors:
///
/// `{"timestamp":"2025-01-02T03:04:05.678000+00:00","level":"info","label":"mjproxy","message":"…",
/// "source":"ProxyCore","metadata":{"account":"acc1","task":"1795…"}}`
///
/// Keys always come in this order; `metadata` merges the metadata provider's, the logger's and the
/// call's (later wins), with nested dictionaries and arrays kept as JSON objects and arrays, and an
/// attached error under `error`. Strings are escaped by the project's JSON writer, so a message with
/// quotes, newlines or control characters stays one valid line. Lines go to standard error, each in
/// one write under a lock, so concurrent loggers never interleave.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Receives each finished line (newline included).
    let output: @Sendable (String) -> Void
    /// The clock of the timestamps (ms since 1970; injectable for tests).
    let now: @Sendable () -> Int64

    /// A handler for `label` writing to `output` (standard error by default).
    init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError, now: @escaping @Sendable () -> Int64 = { nowMillis() }
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
        self.now = now
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        output(line(event) + "\n")
    }

    /// The JSON object of one event (without the newline).
    func line(_ event: LogEvent) -> String {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var fields: [(String, JSONValue)] = [
            ("timestamp", .string(TextFormat.discordTimestamp(millis: now()))),
            ("level", .string(event.level.rawValue)),
            ("label", .string(label)),
            ("message", .string(event.message.description)),
            ("source", .string(event.source)),
            ("metadata", Self.json(merged)),
        ]
        if let error = event.error { fields.append(("error", .string(String(describing: error)))) }
        return JSONValue.object(fields).compactString
    }

    /// Metadata as a JSON object, keys sorted (stable lines for diffing and tests).
    static func json(_ metadata: Logger.Metadata) -> JSONValue {
        .object(metadata.keys.sorted().map { ($0, json(metadata[$0]!)) })
    }

    /// One metadata value: strings as strings, nested dictionaries and arrays as JSON.
    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .dictionary(let d): return json(d)
        case .array(let a): return .array(a.map { json($0) })
        }
    }

    /// Serialises writes to standard error (one `write` per line).
    private static let lock = Mutex(())

    /// Writes `line` to standard error.
    static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}

/// Sets up swift-log once per process: `format` text (swift-log's stream handler) or json
/// (`JSONLogHandler`), both on standard error, at `level`.
func bootstrapLogging(_ settings: LogSettings) {
    LoggingSystem.bootstrap { label in
        switch settings.format {
        case .json:
            var handler = JSONLogHandler(label: label)
            handler.logLevel = settings.level
            return handler
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = settings.level
            return handler
        }
    }
}

extension LogSettings {
    /// The settings `MJPROXY_LOG_FORMAT` / `MJPROXY_LOG_LEVEL` give, unknown values ignored (commands
    /// that read no configuration file, like `mjproxy sandbox`).
    static func fromEnvironment(_ env: [String: String]) -> LogSettings {
        var s = LogSettings()
        if let f = env["MJPROXY_LOG_FORMAT"].flatMap({ Format(rawValue: $0.lowercased()) }) { s.format = f }
        if let l = env["MJPROXY_LOG_LEVEL"].flatMap({ Logger.Level(rawValue: $0.lowercased()) }) { s.level = l }
        return s
    }
}
