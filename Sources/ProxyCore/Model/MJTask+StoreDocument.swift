import DiscordKit

extension MJTask {
    /// The task as the stores keep it: the JSON that `JSONEncoder` writes for `MJTask`'s synthesized
    /// `Codable` (same keys, nil optionals left out, enums as raw values), read back with `JSONDecoder`,
    /// but built with `JSONValue`: every change of every task is saved, and Foundation's encoder was
    /// one of the largest costs of a save. `StoreDocumentTests` holds the two encodings to the same result.
    public var storeDocument: String {
        var o: [(String, JSONValue)] = []
        o.reserveCapacity(28)
        func add(_ key: String, _ value: String?) { if let value { o.append((key, .string(value))) } }
        func add(_ key: String, _ value: Int64?) { if let value { o.append((key, .int(value))) } }
        o.append(("id", .string(id)))
        o.append(("action", .string(action.rawValue)))
        add("customId", customId)
        add("parentId", parentId)
        o.append(("botType", .string(botType.rawValue)))
        add("mode", mode?.rawValue)
        o.append(("status", .string(status.rawValue)))
        add("prompt", prompt)
        add("promptEn", promptEn)
        add("description", description)
        add("state", state)
        o.append(("submitTime", .int(submitTime)))
        add("startTime", startTime)
        add("finishTime", finishTime)
        add("imageUrl", imageUrl)
        o.append(("progress", .string(progress)))
        o.append(("failReason", .string(failReason)))
        o.append(("properties", properties))
        o.append(
            (
                "buttons",
                .array(
                    buttons.map {
                        [
                            "customId": .string($0.customId), "emoji": .string($0.emoji), "label": .string($0.label),
                            "type": .int(Int64($0.type)), "style": .int(Int64($0.style)),
                        ]
                    })
            ))
        add("accountId", accountId)
        add("requestedMode", requestedMode?.rawValue)
        add("notifyHook", notifyHook)
        o.append(
            (
                "pendingImages",
                .array(
                    pendingImages.map {
                        ["filename": .string($0.filename), "contentType": .string($0.contentType), "base64": .string($0.base64)]
                    })
            ))
        add("parentMessageId", parentMessageId)
        add("parentMessageFlags", parentMessageFlags.map { Int64($0) })
        add("lastActivity", lastActivity)
        o.append(("sequence", .int(sequence)))
        add("revision", revision)
        if let inputs { o.append(("inputs", .object(inputs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
        return JSONValue.object(o).compactString
    }
}
