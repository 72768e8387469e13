import DiscordKit
import Foundation
import ProxyCore

/// The account as the API shows it (contract §6 view, then mjproxy's extras): secrets masked
/// (token: first 6 characters + `***`; a proxy URL's password replaced by `***`), live values from
/// the running account's snapshot, last known bot values from the store until the session reads them.
enum AccountView {
    /// `instance`: the instance holding the account's lease when several share the store (`properties.instance`).
    static func json(record: AccountRecord, snapshot: AccountSnapshot?, instance: String? = nil) -> JSONValue {
        // The stored settings: a changed token or channel shows before the reconnect that uses it.
        let c = record.config
        let stored = record.botState
        let state = snapshot.map { stored.merging($0) } ?? stored
        let mj = BotType.midJourney.rawValue
        let niji = BotType.nijiJourney.rawValue
        let status: String
        let lifecycle: String
        if !c.enabled {
            status = AccountStatus.disabled.rawValue
            lifecycle = AccountSnapshot.State.disabled.rawValue
        } else {
            status = snapshot?.status.rawValue ?? AccountStatus.disconnected.rawValue
            lifecycle = snapshot?.state.rawValue ?? AccountSnapshot.State.connecting.rawValue
        }
        func str(_ s: String?) -> JSONValue { .string(orNull: s) }
        var info: [(String, JSONValue)] = state.info.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }
        if let instance { info.append(("instance", .string(instance))) }
        let pairs: [(String, JSONValue)] = [
            ("id", .string(c.id)),
            ("name", .string(c.remark.isEmpty ? c.id : c.remark)),
            ("guildId", .string(c.guildId)),
            ("channelId", .string(c.channelId)),
            ("userToken", .string(c.maskedToken)),
            ("userAgent", .string(c.userAgent)),
            ("enable", .bool(c.enabled)),
            ("status", .string(status)),
            ("disabledReason", str(state.disabledReason ?? snapshot?.disabledReason)),
            ("remark", .string(c.remark)),
            ("weight", .int(Int64(c.weight))),
            ("coreSize", .int(Int64(c.coreSize))),
            ("queueSize", .int(Int64(c.queueSize))),
            ("timeoutMinutes", number(c.timeoutMinutes)),
            ("mjBotChannelId", str(c.mjBotChannelId)),
            ("nijiBotChannelId", str(c.nijiBotChannelId)),
            ("remixAutoSubmit", .bool(c.remixAutoSubmit)),
            ("mode", str(state.mode[mj]?.rawValue)),
            ("nijiMode", str(state.mode[niji]?.rawValue)),
            ("mjRemix", state.remix[mj].map { .bool($0) } ?? .null),
            ("nijiRemix", state.remix[niji].map { .bool($0) } ?? .null),
            ("version", str(state.version[mj])),
            ("subscribePlan", str(state.subscribePlan)),
            ("fastTimeRemaining", str(state.fastTimeRemaining)),
            ("runningCount", .int(Int64(snapshot?.runningCount ?? 0))),
            ("queueCount", .int(Int64(snapshot?.queueCount ?? 0))),
            ("dateCreated", .int(record.createdAt)),
            ("properties", .object(info)),
            // mjproxy's extras
            ("state", .string(lifecycle)),
            ("nijiVersion", str(state.version[niji])),
            ("jobsToday", .int(Int64(snapshot?.jobsToday ?? 0))),
            ("lastError", str(snapshot?.lastError)),
            ("lastConnect", (snapshot?.lastConnect ?? state.lastConnect).map { .int($0) } ?? .null),
            ("origin", .string(record.origin.rawValue)),
            ("botTypes", .array(c.botTypes.map(\.rawValue).sorted().map { .string($0) })),
            ("allowedModes", .array(c.allowedModes.map(\.rawValue).sorted().map { .string($0) })),
            ("fixedMode", str(c.fixedMode?.rawValue)),
            ("dailyLimit", c.dailyLimit.map { .int(Int64($0)) } ?? .null),
            ("workWindow", str(c.workWindow)),
            ("minSubmitInterval", number(c.minSubmitInterval)),
            ("subChannels", .array(c.subChannels.map { .string($0) })),
            ("proxy", str(c.proxy.map(maskProxy))),
        ]
        return .object(pairs)
    }

    /// Whole numbers as integers, others as decimals.
    static func number(_ d: Double) -> JSONValue {
        if d.rounded() == d, abs(d) < 9e15 { return .int(Int64(d)) }
        return .double(d)
    }

    /// `scheme://user:***@host:port` (the password never leaves the proxy).
    static func maskProxy(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let schemeEnd = url.range(of: "://") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
