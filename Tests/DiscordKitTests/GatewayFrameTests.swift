import DiscordKit
import Foundation
import Testing

/// Gateway frames read lazily: `JSONParser.members` parses, locates or skips each member; `GatewayFrame`
/// reads the header and decodes only what a dispatch needs (READY's three fields).
@Suite struct GatewayFrameTests {
    static let objects = [
        #"{"b":1,"a":[true,false,null,-0,12,1.5,-2.25e3,"x"],"c":{"z":"\u00e9\ud83d\ude00\n\t\"\\\/","y":[[],{}]}}"#,
        #"  {}  "#, #"{"k":"猫 --ar 16:9","n":null,"k":"last wins"}"#, #"{ "a" : [ 1 , { "b" : "c" } ] , "d" : 1E2 }"#,
    ]

    @Test(arguments: objects) func membersReadWhatTheParserReads(text: String) throws {
        let bytes = Array(text.utf8)
        guard case .object(let pairs) = try JSONParser.parse(bytes) else {
            Issue.record("not an object")
            return
        }
        let (values, ranges) = try JSONParser.members(of: bytes) { _ in .parse }
        #expect(values == Dictionary(pairs, uniquingKeysWith: { _, last in last }))
        #expect(ranges.isEmpty)
        // Located values parse to the same value from their range.
        let (none, located) = try JSONParser.members(of: bytes) { _ in .locate }
        #expect(none.isEmpty)
        for (key, range) in located { #expect(try JSONParser.parse(bytes, range: range) == values[key]) }
        // Skipping accepts what the parser accepts.
        let skipped = try JSONParser.members(of: bytes) { _ in .skip }
        #expect(skipped.values.isEmpty && skipped.ranges.isEmpty)
    }

    @Test(arguments: [
        "", "{", "[]", "1", "{\"a\":[1,]}", "{\"a\":{\"b\":1,}}", "{a:1}", "{\"a\":[01]}", "{\"a\":[1.]}", "{\"a\":\"\u{01}\"}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\" 1}", "{\"a\":[\"a\" \"b\"]}", "{\"a\":1} 2", "{\"a\":NaN}",
        "{\"a\":\"unterminated}", "{\"a\":[1}", "{\"a\":{\"b\"]}",
    ])
    func skippingStillRefusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.members(of: Array(text.utf8)) { _ in .skip } }
    }

    @Test func skippingRefusesDeepNesting() {
        let deep = "{\"a\":" + String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1) + "}"
        #expect(throws: JSONParser.Failure.self) { try JSONParser.members(of: Array(deep.utf8)) { _ in .skip } }
    }

    /// A READY as a user account gets it from a guild of many channels: only the three fields are read.
    @Test func readyReadsItsThreeFieldsAndSkipsTheGuilds() throws {
        let channels = (1...2000).map { #"{"id":"\#($0)","type":0,"name":"mj-\#($0)","position":\#($0),"permission_overwrites":[{"id":"1","type":1,"allow":"1024","deny":"0"}]}"# }
        let text = #"{"t":"READY","s":1,"op":0,"d":{"v":9,"user":{"id":"42","username":"me","discriminator":"0"},"guilds":[{"id":"7","channels":["#
            + channels.joined(separator: ",") + #"]}],"session_id":"abc","resume_gateway_url":"wss://resume.example"}}"#
        let frame = try GatewayFrame(Array(text.utf8))
        #expect(frame.header.op == 0 && frame.header.s == 1 && frame.header.t == "READY")
        guard case .ready(let ready) = try GatewayEvent.decode(name: "READY", frame: frame) else {
            Issue.record("not READY")
            return
        }
        #expect(ready.session_id == "abc" && ready.resume_gateway_url == "wss://resume.example" && ready.user.id == "42")
        // A READY without its session id is refused, as the Decodable route refused it.
        let broken = try GatewayFrame(Array(#"{"op":0,"t":"READY","s":1,"d":{"user":{"id":"1","username":"u"},"guilds":[]}}"#.utf8))
        #expect(throws: (any Error).self) { try GatewayEvent.decode(name: "READY", frame: broken) }
    }

    @Test func headersPayloadsAndSmallEvents() throws {
        let hello = try GatewayFrame(Array(#"{"op":10,"d":{"heartbeat_interval":41250,"_trace":["x"]},"s":null,"t":null}"#.utf8))
        #expect(hello.header.op == 10 && hello.header.s == nil && hello.header.t == nil)
        #expect(try hello.decodedPayload(HelloData.self)?.heartbeat_interval == 41250)
        let invalid = try GatewayFrame(Array(#"{"op":9,"d":true}"#.utf8))
        #expect(try invalid.decodedPayload(Bool.self) == true)
        let ack = try GatewayFrame(Array(#"{"op":11}"#.utf8))
        #expect(ack.payload == nil)
        #expect(try ack.parsedPayload() == nil)
        let nullData = try GatewayFrame(Array(#"{"op":0,"t":"INTERACTION_SUCCESS","s":2,"d":null}"#.utf8))
        #expect(throws: (any Error).self) { try GatewayEvent.decode(name: "INTERACTION_SUCCESS", frame: nullData) }
        let success = try GatewayFrame(Array(#"{"op":0,"t":"INTERACTION_SUCCESS","s":2,"d":{"id":"5","nonce":"n1"}}"#.utf8))
        guard case .interactionSuccess(let event) = try GatewayEvent.decode(name: "INTERACTION_SUCCESS", frame: success) else {
            Issue.record("not INTERACTION_SUCCESS")
            return
        }
        #expect(event == InteractionEvent(id: "5", nonce: "n1"))
        // An event the client does not use is not read at all (its payload may be anything valid).
        let other = try GatewayFrame(Array(#"{"op":0,"t":"GUILD_CREATE","s":3,"d":{"whatever":[1,2,{"x":"\ud800"}]}}"#.utf8))
        guard case .other("GUILD_CREATE") = try GatewayEvent.decode(name: "GUILD_CREATE", frame: other) else {
            Issue.record("not other")
            return
        }
        // A bad header is refused.
        #expect(throws: (any Error).self) { try GatewayFrame(Array(#"{"op":"0"}"#.utf8)) }
    }

    @Test func thePrefilterLooksAtThePayload() throws {
        let text = #"{"t":"MESSAGE_CREATE","s":4,"op":0,"d":{"id":"9","channel_id":"3","guild_id":"2","author":{"id":"1","username":"u"},"content":"x"}}"#
        let frame = try GatewayFrame(Array(text.utf8))
        #expect(ChannelPrefilter.skips(frame.payloadBytes) { $0 == "4" })
        #expect(!ChannelPrefilter.skips(frame.payloadBytes) { $0 == "3" })
        guard case .messageCreate(let message) = try GatewayEvent.decode(name: "MESSAGE_CREATE", frame: frame) else {
            Issue.record("not a message")
            return
        }
        #expect(message.id == "9" && message.channel_id == "3")
    }
}
