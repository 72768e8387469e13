import Foundation

/// Gateway opcodes (Discord docs, "Gateway Opcodes").
public enum GatewayOpcode: Int, Sendable {
    case dispatch = 0
    case heartbeat = 1
    case identify = 2
    case presenceUpdate = 3
    case voiceStateUpdate = 4
    case resume = 6
    case reconnect = 7
    case requestGuildMembers = 8
    case invalidSession = 9
    case hello = 10
    case heartbeatAck = 11
}

/// The envelope fields every gateway payload has, decoded without `d`.
public struct GatewayHeader: Decodable, Sendable {
    public var op: Int
    public var s: Int?
    public var t: String?

    /// The header of a parsed frame: `op` an integer, `s` an integer or null, `t` a string or null.
    public init(_ frame: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(frame, "gateway frame")
        op = try f.int("op")
        s = try f.optionalInt("s")
        t = try f.optionalString("t")
    }
}

/// HELLO (op 10) data.
public struct HelloData: Codable, Sendable {
    public var heartbeat_interval: Int
    /// Creates HELLO data.
    public init(heartbeat_interval: Int) { self.heartbeat_interval = heartbeat_interval }
}

/// Client properties sent in IDENTIFY and, base64-encoded, as `X-Super-Properties`.
public struct ClientProperties: Codable, Sendable {
    public var os: String
    public var browser: String
    public var device: String
    public var system_locale: String
    public var browser_user_agent: String
    public var browser_version: String
    public var os_version: String
    public var referrer: String
    public var referring_domain: String
    public var referrer_current: String
    public var referring_domain_current: String
    public var release_channel: String
    public var client_build_number: Int
    public var client_event_source: String?

    /// Derives browser/OS fields from a browser User-Agent string.
    public init(userAgent: String, buildNumber: Int = 396858, locale: String = "en-US") {
        var os = "Windows"
        var osVersion = "10"
        if userAgent.contains("Mac OS X") {
            os = "Mac OS X"
            if let r = userAgent.range(of: #"Mac OS X [0-9_\.]+"#, options: .regularExpression) {
                osVersion = String(userAgent[r].dropFirst("Mac OS X ".count)).replacingOccurrences(of: "_", with: ".")
            }
        } else if userAgent.contains("Linux") {
            os = "Linux"
            osVersion = ""
        }
        var browser = "Chrome"
        var version = ""
        for (name, marker) in [("Firefox", "Firefox/"), ("Edge", "Edg/"), ("Chrome", "Chrome/")] where userAgent.contains(marker) {
            browser = name
            if let r = userAgent.range(of: marker) {
                version = String(userAgent[r.upperBound...].prefix { $0 != " " })
            }
            break
        }
        self.os = os
        self.browser = browser
        self.device = ""
        self.system_locale = locale
        self.browser_user_agent = userAgent
        self.browser_version = version
        self.os_version = osVersion
        self.referrer = ""
        self.referring_domain = ""
        self.referrer_current = ""
        self.referring_domain_current = ""
        self.release_channel = "stable"
        self.client_build_number = buildNumber
        self.client_event_source = nil
    }
}

/// IDENTIFY (op 2) data for a user account: no intents, capabilities as the web client sends.
public struct IdentifyData: Codable, Sendable {
    /// Presence in IDENTIFY.
    public struct Presence: Codable, Sendable {
        public var status: String
        public var since: Int
        public var activities: [JSONValue]
        public var afk: Bool
    }
    /// Client state in IDENTIFY.
    public struct ClientState: Codable, Sendable {
        public var guild_versions: [String: String]
    }
    public var token: String
    public var capabilities: Int?
    public var properties: ClientProperties?
    public var presence: Presence?
    public var compress: Bool?
    public var client_state: ClientState?
    public var intents: Int?

    /// Creates the IDENTIFY a Chrome web client would send.
    public init(token: String, properties: ClientProperties) {
        self.token = token
        self.capabilities = 16381
        self.properties = properties
        self.presence = Presence(status: "online", since: 0, activities: [], afk: false)
        self.compress = false
        self.client_state = ClientState(guild_versions: [:])
        self.intents = nil
    }
}

/// RESUME (op 6) data.
public struct ResumeData: Codable, Sendable {
    public var token: String
    public var session_id: String
    public var seq: Int?
    /// Creates RESUME data.
    public init(token: String, session_id: String, seq: Int?) {
        self.token = token
        self.session_id = session_id
        self.seq = seq
    }
}

/// The fields of READY the proxy needs.
public struct ReadyData: Codable, Sendable {
    public var session_id: String
    public var resume_gateway_url: String?
    public var user: DiscordUser

    /// Reads READY's fields from parsed JSON.
    public init(json: JSONValue) throws(JSONReadFailure) {
        let f = try JSONFields(json, "READY")
        session_id = try f.string("session_id")
        resume_gateway_url = try f.optionalString("resume_gateway_url")
        user = try f.object("user", DiscordUser.init(json:))
    }
}

/// INTERACTION_CREATE / _SUCCESS / _FAILURE as a user account receives them.
public struct InteractionEvent: Codable, Sendable, Equatable {
    public var id: String
    public var nonce: String?
    public var reason_code: Int?
    /// Creates an interaction event.
    public init(id: String, nonce: String?, reason_code: Int? = nil) {
        self.id = id
        self.nonce = nonce
        self.reason_code = reason_code
    }
}

/// INTERACTION_MODAL_CREATE / INTERACTION_IFRAME_MODAL_CREATE payload.
public struct ModalEvent: Codable, Sendable, Equatable {
    /// The application that opened the modal.
    public struct Application: Codable, Sendable, Equatable {
        public var id: String
        public var name: String?
        public var icon: String?
        /// Creates the application field.
        public init(id: String, name: String?, icon: String?) {
            self.id = id
            self.name = name
            self.icon = icon
        }
    }
    public var id: String
    public var nonce: String?
    public var channel_id: String
    public var custom_id: String
    public var title: String?
    public var application: Application
    public var components: [Component]?
    public var iframe_path: String?
    public var modal_size: Int?

    /// Creates a modal event.
    public init(
        id: String, nonce: String?, channel_id: String, custom_id: String, title: String?, application: Application, components: [Component]?,
        iframe_path: String?, modal_size: Int?
    ) {
        self.id = id
        self.nonce = nonce
        self.channel_id = channel_id
        self.custom_id = custom_id
        self.title = title
        self.application = application
        self.components = components
        self.iframe_path = iframe_path
        self.modal_size = modal_size
    }
}

/// A dispatch the proxy reacts to, decoded from the gateway.
public enum GatewayEvent: Sendable {
    case ready(ReadyData)
    case resumed
    case messageCreate(Message)
    case messageUpdate(Message)
    case messageDelete(MessageDelete)
    case interactionCreate(InteractionEvent)
    case interactionSuccess(InteractionEvent)
    case interactionFailure(InteractionEvent)
    case modalCreate(ModalEvent)
    case iframeModalCreate(ModalEvent)
    /// Any other dispatch, by name.
    case other(String)

    /// Decodes the dispatch `name` from its frame: messages (most of the traffic) read by `JSONParser`, READY
    /// by its three fields, the small interaction events by `JSONDecoder`; other dispatches not at all.
    public static func decode(name: String, frame: GatewayFrame) throws -> GatewayEvent {
        func d<T: Decodable>(_ t: T.Type) throws -> T {
            guard let v = try frame.decodedPayload(T.self) else { throw DiscordError.protocolViolation("dispatch \(name) without data") }
            return v
        }
        switch name {
        case "MESSAGE_CREATE", "MESSAGE_UPDATE":
            guard let d = try frame.parsedPayload() else { throw DiscordError.protocolViolation("dispatch \(name) without data") }
            let message = try Message(json: d)
            return name == "MESSAGE_CREATE" ? .messageCreate(message) : .messageUpdate(message)
        case "READY":
            // Only what the client keeps: a user's READY also lists every guild with all its channels.
            guard let d = try frame.payloadMembers(["session_id", "resume_gateway_url", "user"]) else {
                throw DiscordError.protocolViolation("dispatch \(name) without data")
            }
            return .ready(try ReadyData(json: d))
        case "RESUMED": return .resumed
        case "MESSAGE_DELETE": return .messageDelete(try d(MessageDelete.self))
        case "INTERACTION_CREATE": return .interactionCreate(try d(InteractionEvent.self))
        case "INTERACTION_SUCCESS": return .interactionSuccess(try d(InteractionEvent.self))
        case "INTERACTION_FAILURE": return .interactionFailure(try d(InteractionEvent.self))
        case "INTERACTION_MODAL_CREATE": return .modalCreate(try d(ModalEvent.self))
        case "INTERACTION_IFRAME_MODAL_CREATE": return .iframeModalCreate(try d(ModalEvent.self))
        default: return .other(name)
        }
    }
}

/// Errors of the Discord client.
public enum DiscordError: Error, Sendable, CustomStringConvertible {
    case protocolViolation(String)
    /// A REST call failed with HTTP `status`, Discord error `code` and `message`.
    case http(status: Int, code: Int?, message: String)
    case rateLimited(retryAfter: Double)
    case notConnected

    public var description: String {
        switch self {
        case .protocolViolation(let s): return "protocol violation: \(s)"
        case .http(let status, let code, let message): return "HTTP \(status)\(code.map { " code \($0)" } ?? ""): \(message)"
        case .rateLimited(let after): return "rate limited, retry after \(after)s"
        case .notConnected: return "gateway not connected"
        }
    }
}

/// A client → server payload: just `op` and `d`, as Discord's clients send them.
public struct GatewayCommand<D: Encodable & Sendable>: Encodable, Sendable {
    public var op: Int
    public var d: D?
    /// Creates a command.
    public init(op: Int, d: D?) {
        self.op = op
        self.d = d
    }
    /// Encodes `d` even when nil (`{"op":1,"d":null}`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(op, forKey: .op)
        try c.encode(d, forKey: .d)
    }
    enum CodingKeys: String, CodingKey { case op, d }
}
