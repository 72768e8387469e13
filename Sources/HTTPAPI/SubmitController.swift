import DiscordKit
import Foundation
import Hummingbird
import ProxyCore

/// `/mj/submit/*`: input validation in the contract's order, then the task service.
struct SubmitController: Sendable {
    let service: TaskService
    let locale: TextLocale

    private func answer(_ result: SubmitResult) -> Response { APIResponder.json(result.json) }

    /// `POST /mj/submit/imagine` (contract §4.1).
    @Sendable func imagine(_ r: RouteRequest) async throws -> Response {
        let body = try JSONBody.parse(r.body)
        let (state, hook) = try body.stateAndHook()
        guard let rawPrompt = try body.string("prompt") else { throw APIValidationError(key: "V4") }
        let prompt = rawPrompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw APIValidationError(key: "V4") }
        guard prompt.count <= 8192 else { throw APIValidationError(key: "V7") }
        var encoded = try body.stringArray("base64Array") ?? []
        if let single = try body.string("base64") { encoded.append(single) }
        let botType = try body.botType()
        let filter = try body.accountFilter()
        guard encoded.count <= 5 else { throw APIValidationError(key: "V35", values: ["n": "5"]) }
        var images: [SubmittedImage] = []
        for (i, text) in encoded.enumerated() {
            images.append(try ImageInput.decode(text, field: "base64Array", index: i))
        }
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
