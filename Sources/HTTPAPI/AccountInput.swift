import DiscordKit
import Foundation
import ProxyCore

/// The fields of an account create/update body (contract §6), validated: wrong types V3, required
/// ones missing V34, out of range or malformed V39. `apply` writes the given fields onto a config.
struct AccountInput: Sendable {
    var id: String?
    var guildId: String?
    var channelId: String?
    var userToken: String?
    var userAgent: String?
    var enabled: Bool?
    var coreSize: Int?
    var queueSize: Int?
    var timeoutMinutes: Double?
    var remark: String?
    var weight: Int?
    var mjBotChannelId: String??
    var nijiBotChannelId: String??
    var remixAutoSubmit: Bool?
    var botTypes: Set<BotType>?
    var allowedModes: Set<SpeedMode>?
    var fixedMode: SpeedMode??
    var dailyLimit: Int??
    var workWindow: String??
    var minSubmitInterval: Double?
    var subChannels: [String]?
    var proxy: String??

    static func invalid(_ field: String) -> APIValidationError { APIValidationError(key: "V39", values: ["field": field]) }

    /// A Discord id: 17–20 digits.
    static func isSnowflake(_ s: String) -> Bool { (17...20).contains(s.count) && s.allSatisfy { $0.isASCII && $0.isNumber } }

    /// Reads and checks the body's fields (absent or null = not given; `""` clears optional strings).
    static func parse(_ body: JSONBody) throws(APIValidationError) -> AccountInput {
        var input = AccountInput()
        func int(_ key: String, _ range: ClosedRange<Int>) throws(APIValidationError) -> Int? {
            guard let raw = body.raw(key) else { return nil }
            guard let v = raw.intValue else { throw APIValidationError(key: "V3", values: ["field": key]) }
            guard let i = Int(exactly: v), range.contains(i) else { throw invalid(key) }
            return i
        }
        func double(_ key: String, _ range: ClosedRange<Double>) throws(APIValidationError) -> Double? {
            guard let raw = body.raw(key) else { return nil }
            let d: Double
            switch raw {
            case .int(let i): d = Double(i)
            case .double(let x): d = x
            default: throw APIValidationError(key: "V3", values: ["field": key])
            }
            guard d.isFinite, range.contains(d) else { throw invalid(key) }
            return d
        }
        /// An optional string that may be cleared: nil = not given, .some(nil) = cleared.
        func clearable(_ key: String) throws(APIValidationError) -> String?? {
            guard body.raw(key) != nil else { return nil }
            return .some(try body.string(key))
        }
        input.id = try body.string("id")
        input.guildId = try body.string("guildId")
        input.channelId = try body.string("channelId")
        input.userToken = try body.string("userToken")
        input.userAgent = try body.string("userAgent")
        if let on = try body.bool("enable") { input.enabled = on } else { input.enabled = try body.bool("enabled") }
        input.coreSize = try int("coreSize", 1...12)
        input.queueSize = try int("queueSize", 0...100)
        input.timeoutMinutes = try double("timeoutMinutes", 1...60)
        if body.raw("remark") != nil { input.remark = try body.string("remark") ?? "" }
        input.weight = try int("weight", 1...100)
        input.mjBotChannelId = try clearable("mjBotChannelId")
        input.nijiBotChannelId = try clearable("nijiBotChannelId")
        input.remixAutoSubmit = try body.bool("remixAutoSubmit")
        if let names = try body.stringArray("botTypes") {
            var bots = Set<BotType>()
            for n in names {
                guard let b = BotType.parseInput(n), b != .insightFace else { throw invalid("botTypes") }
                bots.insert(b)
            }
            guard !bots.isEmpty else { throw invalid("botTypes") }
            input.botTypes = bots
        }
        if let names = try body.stringArray("allowedModes") {
            var modes = Set<SpeedMode>()
            for n in names {
                guard let m = SpeedMode(rawValue: n.uppercased()) else { throw invalid("allowedModes") }
                modes.insert(m)
            }
            input.allowedModes = modes
        }
        if let fixed = try clearable("fixedMode") {
            if let text = fixed {
                guard let m = SpeedMode(rawValue: text.uppercased()) else { throw invalid("fixedMode") }
                input.fixedMode = .some(m)
            } else {
                input.fixedMode = .some(nil)
            }
        }
        if body.raw("dailyLimit") != nil { input.dailyLimit = .some(try int("dailyLimit", 0...1_000_000)) }
        input.workWindow = try clearable("workWindow")
        input.minSubmitInterval = try double("minSubmitInterval", 0...86_400)
        input.subChannels = try body.stringArray("subChannels")
        input.proxy = try clearable("proxy")
        return try input.checked()
    }

    /// Format checks of the given values.
    func checked() throws(APIValidationError) -> AccountInput {
        if let id, id.count > 64 || id.contains("/") { throw Self.invalid("id") }
        if let guildId, !Self.isSnowflake(guildId) { throw Self.invalid("guildId") }
        if let channelId, !Self.isSnowflake(channelId) { throw Self.invalid("channelId") }
        for (key, v) in [("mjBotChannelId", mjBotChannelId), ("nijiBotChannelId", nijiBotChannelId)] {
            if case .some(.some(let s)) = v, !Self.isSnowflake(s) { throw Self.invalid(key) }
        }
        if let subChannels, !subChannels.allSatisfy(Self.isSnowflake) { throw Self.invalid("subChannels") }
        if case .some(.some(let w)) = workWindow, !Self.isWorkWindow(w) { throw Self.invalid("workWindow") }
        if case .some(.some(let p)) = proxy {
            let lower = p.lowercased()
            guard ["http://", "https://", "socks5://", "socks5h://"].contains(where: lower.hasPrefix), URL(string: p)?.host != nil else {
                throw Self.invalid("proxy")
            }
        }
        if let userAgent, userAgent.count > 1024 { throw Self.invalid("userAgent") }
        return self
    }

    /// `HH:MM-HH:MM` (UTC, may wrap midnight).
    static func isWorkWindow(_ s: String) -> Bool {
        let parts = s.split(separator: "-")
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            let hm = part.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else { return false }
            return (0...24).contains(h) && (0...59).contains(m) && (h < 24 || m == 0)
        }
    }

    /// A new account from a create body (guildId, channelId and userToken required: V34).
    func newAccount() throws(APIValidationError) -> AccountConfig {
        guard let guildId else { throw APIValidationError(key: "V34", values: ["field": "guildId"]) }
        guard let channelId else { throw APIValidationError(key: "V34", values: ["field": "channelId"]) }
        guard let userToken else { throw APIValidationError(key: "V34", values: ["field": "userToken"]) }
        var c = AccountConfig(id: id, guildId: guildId, channelId: channelId, userToken: userToken)
        apply(to: &c)
        return c
    }

    /// Writes the given fields onto `c` (the id never changes here). A token equal to the masked
    /// form of the current one is a view sent back unchanged: ignored.
    func apply(to c: inout AccountConfig) {
        if let guildId { c.guildId = guildId }
        if let channelId { c.channelId = channelId }
        if let userToken, userToken != c.maskedToken { c.userToken = userToken }
        if let userAgent { c.userAgent = userAgent }
        if let enabled { c.enabled = enabled }
        if let coreSize { c.coreSize = coreSize }
        if let queueSize { c.queueSize = queueSize }
        if let timeoutMinutes { c.timeoutMinutes = timeoutMinutes }
        if let remark { c.remark = remark }
        if let weight { c.weight = weight }
        if let mjBotChannelId { c.mjBotChannelId = mjBotChannelId }
        if let nijiBotChannelId { c.nijiBotChannelId = nijiBotChannelId }
        if let remixAutoSubmit { c.remixAutoSubmit = remixAutoSubmit }
        if let botTypes { c.botTypes = botTypes }
        if let allowedModes { c.allowedModes = allowedModes }
        if let fixedMode { c.fixedMode = fixedMode }
        if let dailyLimit { c.dailyLimit = dailyLimit }
        if let workWindow { c.workWindow = workWindow }
        if let minSubmitInterval { c.minSubmitInterval = minSubmitInterval }
        if let subChannels { c.subChannels = subChannels }
        if let proxy { c.proxy = proxy }
    }
}
