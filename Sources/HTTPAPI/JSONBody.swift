// HTTPAPI: the midjourney-proxy HTTP API (contract §1–§5) over Hummingbird: routing with path
// normalisation and mode prefixes, authentication, input validation, compact JSON answers.

import DiscordKit
import Foundation
import ProxyCore

/// A validation failure: the contract text key and its placeholders.
struct APIValidationError: Error, Sendable {
    var key: String
    var values: [String: String] = [:]
}

/// A JSON request body with case-insensitive keys and typed accessors that report the field name.
struct JSONBody: Sendable {
    let value: JSONValue

    /// Parses a POST body: empty or `null` is `{}`, anything else but an object is V1.
    static func parse(_ bytes: [UInt8]) throws(APIValidationError) -> JSONBody {
        let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.isEmpty { return JSONBody(value: [:]) }
        guard let parsed = try? JSONValue.parse(bytes) else { throw APIValidationError(key: "V1") }
        switch parsed {
        case .null: return JSONBody(value: [:])
        case .object: return JSONBody(value: parsed)
        default: throw APIValidationError(key: "V1")
        }
    }

    /// The raw value of `key` (nil when absent or null).
    func raw(_ key: String) -> JSONValue? {
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    /// An optional string; `""` counts as absent.
    func string(_ key: String, field: String? = nil) throws(APIValidationError) -> String? {
        guard let v = raw(key) else { return nil }
        guard case .string(let s) = v else { throw APIValidationError(key: "V3", values: ["field": field ?? key]) }
        return s.isEmpty ? nil : s
    }

    /// A string that also accepts a JSON integer (task ids).
    func idString(_ key: String) throws(APIValidationError) -> String? {
        guard let v = raw(key) else { return nil }
        switch v {
        case .string(let s): return s.isEmpty ? nil : s
        default:
            guard let text = Self.integerText(v) else { throw APIValidationError(key: "V3", values: ["field": key]) }
            return text
        }
    }

    /// The decimal form of a JSON integer (`12`, `12.0`); nil for fractions, non-finite or
    /// out-of-range numbers (beyond ±9e18, e.g. `1e19`) and for anything that is not a number.
    static func integerText(_ v: JSONValue) -> String? {
        switch v {
        case .int(let i): return String(i)
        case .double(let d) where d.isFinite && abs(d) < 9.0e18 && d.rounded() == d: return Int64(exactly: d).map { String($0) }
        default: return nil
        }
    }

    /// An optional boolean.
    func bool(_ key: String, field: String? = nil) throws(APIValidationError) -> Bool? {
        guard let v = raw(key) else { return nil }
        guard case .bool(let b) = v else { throw APIValidationError(key: "V3", values: ["field": field ?? key]) }
        return b
    }

    /// An optional integer (numbers without fraction).
    func int(_ key: String) throws(APIValidationError) -> Int64? {
        guard let v = raw(key) else { return nil }
        guard let i = v.intValue else { throw APIValidationError(key: "V3", values: ["field": key]) }
        return i
    }

    /// An optional array of strings.
    func stringArray(_ key: String, field: String? = nil) throws(APIValidationError) -> [String]? {
        guard let v = raw(key) else { return nil }
        guard case .array(let items) = v else { throw APIValidationError(key: "V3", values: ["field": field ?? key]) }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw APIValidationError(key: "V3", values: ["field": field ?? key]) }
            out.append(s)
        }
        return out
    }

    /// An optional nested object.
    func object(_ key: String) throws(APIValidationError) -> JSONBody? {
        guard let v = raw(key) else { return nil }
        guard case .object = v else { throw APIValidationError(key: "V3", values: ["field": key]) }
        return JSONBody(value: v)
    }

    /// The shared `state` and `notifyHook` fields (V5, V6).
    func stateAndHook() throws(APIValidationError) -> (String?, String?) {
        let state = try string("state")
        if let state, state.count > 1024 { throw APIValidationError(key: "V5") }
        let hook = try string("notifyHook")
        if let hook {
            guard hook.count <= 2048, let url = URL(string: hook), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host != nil
            else { throw APIValidationError(key: "V6") }
        }
        return (state, hook)
    }

    /// `botType` (V11); MID_JOURNEY when absent.
    func botType() throws(APIValidationError) -> BotType {
        guard let text = try string("botType") else { return .midJourney }
        guard let bot = BotType.parseInput(text) else { throw APIValidationError(key: "V11") }
        return bot
    }

    /// `accountFilter` (V3 / V39).
    func accountFilter(key: String = "accountFilter") throws(APIValidationError) -> AccountFilter? {
        guard let f = try object(key) else { return nil }
        var filter = AccountFilter()
        filter.channelId = try f.string("channelId", field: "\(key).channelId")
        filter.instanceId = try f.string("instanceId", field: "\(key).instanceId")
        filter.remark = try f.string("remark", field: "\(key).remark")
        filter.remix = try f.bool("remix", field: "\(key).remix")
        filter.remixAutoConsidered = try f.bool("remixAutoConsidered", field: "\(key).remixAutoConsidered")
        for text in try f.stringArray("modes", field: "\(key).modes") ?? [] {
            guard let mode = SpeedMode(rawValue: text.uppercased()) else { throw APIValidationError(key: "V39", values: ["field": "\(key).modes"]) }
            if !filter.modes.contains(mode) { filter.modes.append(mode) }
        }
        return filter
    }
}
