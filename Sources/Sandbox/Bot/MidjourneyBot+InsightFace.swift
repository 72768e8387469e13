import DiscordKit
import Foundation

extension MidjourneyBot {
    /// InsightFaceSwap: `/saveid idname image` stores a face, `/swapid idname image` answers with the
    /// image whose face was replaced. The bot's real texts are unknown (reference unknown 9): these are
    /// constructed — a plain confirmation for /saveid, a deferred answer edited to carry the result.
    func insightFace(_ i: BotInteraction) async {
        let idname = (i.options["idname"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces)
        guard !idname.isEmpty, let file = i.files["image"] else {
            return await sendError(i, name: i.commandName ?? "saveid", title: "Invalid request", description: "idname and image are required", footer: nil)
        }
        let picture = image(from: file, fallbackSeed: idname)
        switch i.commandName {
        case "saveid":
            faces["\(i.user.id):\(idname)"] = picture
            let msg = await responseMessage(i, name: "saveid", content: "idname `\(idname)` has been saved. Use `/swapid` to swap this face onto an image.")
            await world.create(msg)
            await sendInteractionEvent("INTERACTION_SUCCESS", i)
        case "swapid":
            guard let face = faces["\(i.user.id):\(idname)"] else {
                return await sendError(i, name: "swapid", title: "Invalid request", description: "idname `\(idname)` is not saved; use /saveid first.", footer: nil)
            }
            var deferred = await responseMessage(i, name: "swapid", content: "", flags: 128)
            await world.create(deferred)
            await sendInteractionEvent("INTERACTION_SUCCESS", i)
            await pause(3)
            let swapped = await compute { ImageSynth.faceSwap(source: face, target: picture) }
            let png = await encodePNG(swapped)
            let name = "\(idname)_\(UUID().uuidString.lowercased()).png"
            deferred.attachments = [
                await world.storeAttachment(channelId: i.channelId, filename: name, bytes: png, contentType: "image/png", width: swapped.width, height: swapped.height)
            ]
            deferred.content = "<@\(i.user.id)> swapped `\(idname)`"
            deferred.flags = 0
            deferred.edited_timestamp = timestamp()
            await world.update(deferred)
        default:
            await sendInteractionEvent("INTERACTION_FAILURE", i, reason: 1)
        }
    }
}
