import DiscordKit
import Foundation
import Hummingbird
import ProxyCore

/// `/mj/submit/*`: input validation in the contract's order, then the task service.
struct SubmitController: Sendable {
    let service: TaskService

    func answer(_ result: SubmitResult) -> Response { APIResponder.json(result.json) }

    /// `POST /mj/submit/imagine` (contract §4.1).
    @Sendable func imagine(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        let (state, hook) = try body.stateAndHook()
        guard let rawPrompt = try body.string("prompt") else { throw APIValidationError(key: "V4") }
        let prompt = rawPrompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw APIValidationError(key: "V4") }
        guard prompt.count <= 8192 else { throw APIValidationError(key: "V7") }
        var encoded = try body.stringArray("base64Array") ?? []
        if let single = try body.string("base64") { encoded.append(single) }  // deprecated single image, appended
        let botType = try body.botType()
        let filter = try body.accountFilter()
        guard encoded.count <= 5 else { throw APIValidationError(key: "V35", values: ["n": "5"]) }
        let images = try decode(encoded, field: "base64Array")
        let common = SubmitCommon(botType: botType, filter: filter, pathMode: r.pathMode, state: state, notifyHook: hook)
        return answer(await service.imagine(prompt: prompt, images: images, common: common))
    }

    /// `POST /mj/submit/action` (contract §4.7).
    @Sendable func action(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        let (state, hook) = try body.stateAndHook()
        guard let taskId = try body.idString("taskId") else { throw APIValidationError(key: "V15") }
        guard let customId = try body.string("customId") else { throw APIValidationError(key: "V25") }
        let sameChannel = try body.bool("chooseSameChannel") ?? false
        let filter = try body.accountFilter()
        let common = SubmitCommon(botType: .midJourney, filter: filter, pathMode: r.pathMode, state: state, notifyHook: hook)
        return answer(await service.action(taskId: taskId, customId: customId, chooseSameChannel: sameChannel, common: common))
    }
}

extension SubmitController {
    /// Images of `field` (V8–V10 per image).
    func images(_ body: JSONBody, _ field: String) throws(APIValidationError) -> [SubmittedImage] {
        try decode(try body.stringArray(field) ?? [], field: field)
    }

    /// Decodes the images of an array field, reporting `field[i]` on errors.
    func decode(_ encoded: [String], field: String) throws(APIValidationError) -> [SubmittedImage] {
        var out: [SubmittedImage] = []
        for (i, text) in encoded.enumerated() { out.append(try ImageInput.decode(text, field: field, index: i)) }
        return out
    }

    /// An http(s) URL field (V33).
    func url(_ body: JSONBody, _ field: String) throws(APIValidationError) -> String? {
        guard let text = try body.string(field) else { return nil }
        guard let u = URL(string: text), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https", u.host != nil else {
            throw APIValidationError(key: "V33", values: ["field": field])
        }
        return text
    }

    func common(_ body: JSONBody, _ r: RouteRequest) throws(APIValidationError) -> SubmitCommon {
        let (state, hook) = try body.stateAndHook()
        return SubmitCommon(botType: .midJourney, filter: nil, pathMode: r.pathMode, state: state, notifyHook: hook)
    }

    /// `POST /mj/submit/blend` (contract §4.5).
    @Sendable func blend(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        var common = try common(body, r)
        let encoded = try body.stringArray("base64Array") ?? []
        guard (2...5).contains(encoded.count) else { throw APIValidationError(key: "V23") }
        var dimensions = "--ar 1:1"
        if let d = try body.string("dimensions") {
            switch d.uppercased() {
            case "PORTRAIT": dimensions = "--ar 2:3"
            case "SQUARE": dimensions = "--ar 1:1"
            case "LANDSCAPE": dimensions = "--ar 3:2"
            default: throw APIValidationError(key: "V24")
            }
        }
        common.botType = try body.botType()
        common.filter = try body.accountFilter()
        let images = try self.images(body, "base64Array")
        return answer(await service.blend(images: images, dimensions: dimensions, common: common))
    }

    /// `POST /mj/submit/describe` (contract §4.4).
    @Sendable func describe(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        var common = try common(body, r)
        let base64 = try body.string("base64")
        let link = base64 == nil ? try url(body, "link") : nil
        guard base64 != nil || link != nil else { throw APIValidationError(key: "V22") }
        common.botType = try body.botType()
        common.filter = try body.accountFilter()
        let image = try base64.map { text throws(APIValidationError) in try ImageInput.decode(text, field: "base64", index: nil) }
        return answer(await service.describe(image: image, link: link, common: common))
    }

    /// `POST /mj/submit/shorten` (contract §4.6).
    @Sendable func shorten(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        var common = try common(body, r)
        guard let raw = try body.string("prompt"), !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIValidationError(key: "V4")
        }
        let prompt = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard prompt.count <= 8192 else { throw APIValidationError(key: "V7") }
        common.botType = try body.botType()
        common.filter = try body.accountFilter()
        return answer(await service.shorten(prompt: prompt, common: common))
    }

    /// `POST /mj/submit/modal` (contract §4.8).
    @Sendable func modal(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        guard let taskId = try body.idString("taskId") else { throw APIValidationError(key: "V15") }
        let prompt = try body.string("prompt")
        let maskText = try body.string("maskBase64")
        let mask = try maskText.map { text throws(APIValidationError) in try ImageInput.decode(text, field: "maskBase64", index: nil) }
        return answer(await service.modal(taskId: taskId, prompt: prompt, mask: mask))
    }

    /// `POST /mj/insight-face/swap` (contract §4.10).
    @Sendable func swap(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        var common = try common(body, r)
        let sourceText = try body.string("sourceBase64")
        let sourceURL = sourceText == nil ? try url(body, "sourceUrl") : nil
        guard sourceText != nil || sourceURL != nil else { throw APIValidationError(key: "V34", values: ["field": "sourceBase64"]) }
        let targetText = try body.string("targetBase64")
        let targetURL = targetText == nil ? try url(body, "targetUrl") : nil
        guard targetText != nil || targetURL != nil else { throw APIValidationError(key: "V34", values: ["field": "targetBase64"]) }
        common.filter = try body.accountFilter()
        let source = try sourceText.map { text throws(APIValidationError) in try ImageInput.decode(text, field: "sourceBase64", index: nil) }
        let target = try targetText.map { text throws(APIValidationError) in try ImageInput.decode(text, field: "targetBase64", index: nil) }
        return answer(await service.swapFace(source: source, sourceURL: sourceURL, target: target, targetURL: targetURL, common: common))
    }

    /// `POST /mj/submit/upload-discord-images` (contract §4.9).
    @Sendable func uploadImages(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        let encoded = try body.stringArray("base64Array") ?? []
        guard !encoded.isEmpty else { throw APIValidationError(key: "V34", values: ["field": "base64Array"]) }
        guard encoded.count <= 10 else { throw APIValidationError(key: "V35", values: ["n": "10"]) }
        let filter = try body.accountFilter(key: "accountFilter") ?? body.accountFilter(key: "filter")
        let images = try self.images(body, "base64Array")
        let (result, urls) = await service.uploadImages(images, common: SubmitCommon(filter: filter))
        guard let urls else { return answer(result) }
        return APIResponder.json(
            .object([
                ("code", 1), ("description", .string(result.description)), ("result", .array(urls.map { .string($0) })), ("properties", [:]),
            ]))
    }

    /// `POST /mj/submit/change` (contract §4.2), also what simple-change resolves to.
    @Sendable func change(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        let (state, hook) = try body.stateAndHook()
        guard let taskId = try body.idString("taskId") else { throw APIValidationError(key: "V15") }
        guard let actionText = try body.string("action"), let action = ["UPSCALE", "VARIATION", "REROLL"].first(where: { $0 == actionText.uppercased() })
        else { throw APIValidationError(key: "V16") }
        var index = 0
        if action != "REROLL" {
            guard let i = try body.int("index"), (1...4).contains(i) else { throw APIValidationError(key: "V17") }
            index = Int(i)
        }
        return try await performChange(taskId: taskId, action: action, index: index, state: state, hook: hook, pathMode: r.pathMode)
    }

    /// `POST /mj/submit/simple-change` (contract §4.3): `content` = "<taskId> U2"; a change-shaped body is a change.
    @Sendable func simpleChange(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        guard let content = try body.string("content") else {
            if body.raw("taskId") != nil { return try await change(r) }
            throw APIValidationError(key: "V21")
        }
        let (state, hook) = try body.stateAndHook()
        let parts = content.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { throw APIValidationError(key: "V21") }
        let op = parts[1].uppercased()
        let action: String
        var index = 0
        switch op {
        case "U1", "U2", "U3", "U4": (action, index) = ("UPSCALE", Int(op.dropFirst()) ?? 1)
        case "V1", "V2", "V3", "V4": (action, index) = ("VARIATION", Int(op.dropFirst()) ?? 1)
        case "R": action = "REROLL"
        default: throw APIValidationError(key: "V21")
        }
        return try await performChange(taskId: String(parts[0]), action: action, index: index, state: state, hook: hook, pathMode: r.pathMode)
    }

    private func performChange(taskId: String, action: String, index: Int, state: String?, hook: String?, pathMode: SpeedMode?) async throws -> Response {
        guard let parent = try await service.registry.task(id: taskId) else { throw APIValidationError(key: "V18") }
        guard parent.status == .success else { throw APIValidationError(key: "V19") }
        guard parent.action.producesGrid, let hash = parent.messageHash else { throw APIValidationError(key: "V20") }
        let customId: String
        switch action {
        case "UPSCALE": customId = "MJ::JOB::upsample::\(index)::\(hash)"
        case "VARIATION": customId = "MJ::JOB::variation::\(index)::\(hash)"
        default: customId = "MJ::JOB::reroll::0::\(hash)::SOLO"
        }
        let common = SubmitCommon(botType: parent.botType, filter: nil, pathMode: pathMode, state: state, notifyHook: hook)
        return answer(await service.action(taskId: taskId, customId: customId, chooseSameChannel: false, common: common, autoSubmitModal: true))
    }
}
