import DiscordKit
import Foundation
import ProxyCore
import Testing

/// `MJTask.storeDocument` (the stores' fast encoding) decodes, with the same `JSONDecoder` the stores
/// read with, to exactly the task it was made from, for tasks with every optional set or left out.
@Suite struct StoreDocumentTests {
    static func tasks() -> [MJTask] {
        var random = SplitMix64(seed: 42)
        var list: [MJTask] = []
        for n in 0..<300 {
            var t = MJTask(
                id: "17325123456780\(n)", action: TaskAction.allCases[n % TaskAction.allCases.count],
                botType: BotType.allCases[n % BotType.allCases.count], prompt: n % 7 == 0 ? nil : "cat \"quoted\" \\ 猫 \n \(n)",
                submitTime: 1_732_512_345_678 + Int64(n))
            let on = { Int.random(in: 0..<2, using: &random) == 1 }
            if on() { t.customId = "MJ::JOB::upsample::1::\(n)" }
            if on() { t.parentId = "parent\(n)" }
            if on() { t.mode = SpeedMode.allCases[n % SpeedMode.allCases.count] }
            t.status = TaskStatus.allCases[n % TaskStatus.allCases.count]
            if on() { t.promptEn = nil }
            if on() { t.description = "/imagine \(n)" }
            if on() { t.state = "s\u{1}\(n)" }
            if on() { t.startTime = 1_732_512_346_000 }
            if on() { t.finishTime = 1_732_512_391_000 }
            if on() { t.imageUrl = "https://cdn.example/x_\(n).png?ex=1&is=2" }
            t.progress = on() ? "46%" : ""
            t.failReason = on() ? "[Banned prompt] \(n)" : ""
            // Properties are kept with sorted keys (as the registry keeps them).
            if on() {
                t.properties = [
                    "discordInstanceId": "1172000000000000002", "flags": 64, "nested": ["a": [1, 2, nil, true]], "ratio": .double(1.5),
                ]
            }
            if on() { t.buttons = [TaskButton(customId: "MJ::JOB::variation::1::h", emoji: "🔄", label: "V1", type: 2, style: 1)] }
            if on() { t.accountId = "acc\(n)" }
            if on() { t.requestedMode = .relax }
            if on() { t.notifyHook = "https://hook.example/\(n)" }
            if on() { t.pendingImages = [PendingImage(filename: "a.png", contentType: "image/png", bytes: [1, 2, 3, UInt8(n % 256)])] }
            if on() { t.parentMessageId = "1234" }
            if on() { t.parentMessageFlags = n % 2 == 0 ? 64 : 0 }
            if on() { t.lastActivity = 1_732_512_350_000 }
            t.sequence = Int64(n % 9)
            t.revision = on() ? Int64(n) : nil
            if on() { t.inputs = ["dimensions": "--ar 1:1", "link": "https://x.example/\(n)"] }
            list.append(t)
        }
        return list
    }

    @Test func decodesToTheSameTaskAsFoundationsEncoding() throws {
        let decoder = JSONDecoder()
        for task in Self.tasks() {
            let fast = try decoder.decode(MJTask.self, from: Data(task.storeDocument.utf8))
            #expect(fast == task)
            let foundation = try decoder.decode(MJTask.self, from: try JSONEncoder().encode(task))
            #expect(fast == foundation)
        }
    }
}
