// MJFuzz: coverage-guided fuzzing (libFuzzer) of the parsers that read outside input. The first
// input byte picks the parser, the rest is its input. Built normally it is a small runner that
// replays files (crash reproducers, the seed corpus); built with `-sanitize=fuzzer` (see
// scripts/fuzz/libfuzzer.sh) libFuzzer drives `LLVMFuzzerTestOneInput` below.

import DiscordKit
import Foundation

@testable import HTTPAPI
@testable import ProxyCore
@testable import Sandbox

/// The parsers under fuzz, chosen by the first input byte.
enum FuzzTarget: UInt8, CaseIterable {
    /// Request JSON: JSONValue, then the HTTP API's typed body accessors and image decoding.
    case requestJSON = 0
    /// A Discord `Message` decoded from JSON, then the Midjourney message parser.
    case midjourneyMessage = 1
    /// Prompt parameters: tokenizing, `::weights`, URL and parameter detection, banned-word matching.
    case promptParameters = 2
    /// The sandbox's PNG decoder.
    case pngDecoder = 3
    /// The gateway's zlib-stream inflater, fed in frames.
    case zlibStream = 4
    /// A gateway frame read lazily (`GatewayFrame`, `JSONParser.members`), every dispatch decoded from it.
    case gatewayFrame = 5

    /// Runs one input (first byte = target, modulo the number of targets).
    static func run(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let target = FuzzTarget(rawValue: first % UInt8(allCases.count)) ?? .requestJSON
        let input = Array(data.dropFirst())
        switch target {
        case .requestJSON: requestJSON(input)
        case .midjourneyMessage: midjourneyMessage(input)
        case .promptParameters: promptParameters(input)
        case .pngDecoder: pngDecoder(input)
        case .zlibStream: zlibStream(input)
        case .gatewayFrame: gatewayFrame(input)
        }
    }

    static func requestJSON(_ input: [UInt8]) {
        guard let body = try? JSONBody.parse(input) else { return }
        for key in ["prompt", "taskId", "customId", "state", "notifyHook", "base64", "content", "action", "ids"] {
            _ = try? body.string(key)
            _ = try? body.idString(key)
            _ = try? body.int(key)
            _ = try? body.bool(key)
            for text in (try? body.stringArray(key)) ?? [] { _ = try? ImageInput.decode(text, field: key, index: 0) }
            if let text = try? body.string(key) { _ = try? ImageInput.decode(text, field: key, index: nil) }
        }
        _ = try? body.stateAndHook()
        _ = try? body.botType()
        _ = try? body.accountFilter()
        if case .array(let ids)? = body.raw("ids") { for id in ids { _ = JSONBody.integerText(id) } }
        _ = body.value.compactString
    }

    static func midjourneyMessage(_ input: [UInt8]) {
        // Both readers of a message: the gateway's (parsed once, `Message(json:)`) and the `Decodable` one.
        let parsed = (try? JSONValue.parse(input)).flatMap { try? Message(json: $0) }
        let decoded = try? DiscordJSON.decode(Message.self, from: Data(input))
        guard let message = parsed ?? decoded else { return }
        _ = MJMessageParser.classify(message)
        _ = MJMessageParser.parseContent(message.content)
        _ = MJMessageParser.jobHash(of: message)
        _ = MJMessageParser.normalize(message.content)
        for attachment in message.attachments { _ = MJMessageParser.jobHash(fromURL: attachment.url) }
    }

    static func gatewayFrame(_ input: [UInt8]) {
        // The lazy reader is never stricter than the full parser, and reads the same members.
        if case .object(let pairs)? = try? JSONParser.parse(input) {
            guard let (values, _) = try? JSONParser.members(of: input, { _ in .parse }) else { fatalError("members refused a valid object") }
            var last: [String: JSONValue] = [:]
            for (k, v) in pairs { last[k] = v }
            guard values == last else { fatalError("members read other values than the parser") }
            guard (try? JSONParser.members(of: input, { _ in .skip })) != nil else { fatalError("skipping refused a valid object") }
        }
        guard let frame = try? GatewayFrame(input) else { return }
        for name in [
            "READY", "RESUMED", "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "INTERACTION_CREATE", "INTERACTION_SUCCESS",
            "INTERACTION_FAILURE", "INTERACTION_MODAL_CREATE", "INTERACTION_IFRAME_MODAL_CREATE", "GUILD_CREATE",
        ] {
            _ = try? GatewayEvent.decode(name: name, frame: frame)
        }
        _ = ChannelPrefilter.skips(frame.payloadBytes) { _ in false }
        _ = try? frame.decodedPayload(HelloData.self)
    }

    static func promptParameters(_ input: [UInt8]) {
        let prompt = String(decoding: input, as: UTF8.self)
        let (tokens, tail) = PromptTranslation.tokenize(prompt)
        for token in tokens {
            _ = PromptTranslation.splitWeights(token)
            _ = PromptTranslation.isURL(token)
            _ = PromptTranslation.isParameter(token)
        }
        if let tail { _ = prompt[tail...] }
        _ = PromptTranslation.containsChinese(prompt)
        // The prompt's halves as a banned-word list and as the text it is matched against.
        let half = prompt.index(prompt.startIndex, offsetBy: prompt.count / 2)
        let index = BannedWords.Index(entries: BannedWords.parseList(String(prompt[..<half])))
        _ = index.firstMatch(in: String(prompt[half...]))
        _ = MJMessageParser.normalize(prompt)
    }

    static func pngDecoder(_ input: [UInt8]) {
        // Inputs that do not start with the signature get it, so the fuzzer works on the chunks.
        let bytes = input.starts(with: PNGCodec.signature) ? input : PNGCodec.signature + input
        guard let image = PNGCodec.decode(bytes) else { return }
        if image.width * image.height <= 1 << 16 { _ = PNGCodec.decode(PNGCodec.encode(image)) }
    }

    static func zlibStream(_ input: [UInt8]) {
        guard let inflater = try? ZlibStreamInflater(maxMessageBytes: 1 << 20) else { return }
        // Frames end where the input has the flush marker, and at the end.
        var start = 0
        var i = 0
        while i + 4 <= input.count {
            if input[i] == 0, input[i + 1] == 0, input[i + 2] == 0xFF, input[i + 3] == 0xFF {
                guard (try? inflater.feed(input[start..<(i + 4)])) != nil else { return }
                start = i + 4
                i = start
            } else {
                i += 1
            }
        }
        _ = try? inflater.feed(input[start...])
    }
}

/// The libFuzzer entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    FuzzTarget.run(Array(UnsafeBufferPointer(start: start, count: count)))
    return 0
}
