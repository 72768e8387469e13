import DiscordKit
import Foundation
import ProxyCore
import Testing

@testable import MJProxy
@testable import Sandbox

/// Records every status a task passes through (a registry sink, like the webhook dispatcher).
actor StatusRecorder: TaskEventSink {
    private var history: [String: [TaskStatus]] = [:]

    func taskChanged(_ task: MJTask, event: TaskEvent) async {
        if history[task.id]?.last != task.status { history[task.id, default: []].append(task.status) }
    }

    func statuses(_ id: String) -> [TaskStatus] { history[id] ?? [] }
}

/// What New API users do: press U1–U4, V1–V4 and 🔄 of one grid at the same time, grid after grid,
/// all grids with the same prompt on one account. Every task must end with its own result.
@Suite struct NineButtonsTests {
    @Test func allNineGridButtonsAtOnceGiveEveryTaskItsOwnResult() async throws {
        let config = TestProxy.config { $0.sandbox.accounts = 1 }
        try await TestProxy.with(config) { proxy in
            let recorder = StatusRecorder()
            await proxy.runtime.registry.addSink(recorder)
            let grids = 5
            var tasks = 0
            var misassigned: [String] = []
            var seenImages: Set<String> = []
            for round in 1...grids {
                let grid = try await proxy.waitFinished(try await proxy.imagine("nine buttons fox --ar 1:1")).task
                let gridId = try #require(grid["id"]?.stringValue)
                #expect(grid["status"]?.stringValue == "SUCCESS")
                let gridImage = try await Self.image(proxy, grid)
                // A task finished with its parent's grid (an edit taken for a result) shows up as a shared image.
                seenImages.insert(grid["imageUrl"]?.stringValue ?? "")
                let buttons = try (1...4).map { try proxy.button(grid, "MJ::JOB::upsample::\($0)::") } + [try proxy.button(grid, "MJ::JOB::reroll::")]
                    + (1...4).map { try proxy.button(grid, "MJ::JOB::variation::\($0)::") }
                // Press all nine at once.
                let submitted = try await withThrowingTaskGroup(of: (String, String).self) { group in
                    for customId in buttons {
                        group.addTask {
                            let answer = try await proxy.post("/mj/submit/action", #"{"taskId":"\#(gridId)","customId":"\#(customId)"}"#)
                            guard let id = answer["result"]?.stringValue, [1, 22].contains(answer["code"]?.intValue ?? 0) else {
                                throw TestFailure("\(customId) refused: \(answer.compactString)")
                            }
                            return (customId, id)
                        }
                    }
                    return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
                }
                for (customId, id) in submitted {
                    tasks += 1
                    let task = try await proxy.waitFinished(id, timeout: .seconds(90)).task
                    let name = "round \(round) \(CustomIdRules.shortName(customId))"
                    guard task["status"]?.stringValue == "SUCCESS" else {
                        misassigned.append("\(name): \(task["status"]?.stringValue ?? "?") \(task["failReason"]?.stringValue ?? "")")
                        continue
                    }
                    let content = task["properties"]?["messageContent"]?.stringValue ?? ""
                    let imageURL = task["imageUrl"]?.stringValue ?? ""
                    if !seenImages.insert(imageURL).inserted { misassigned.append("\(name): image shared with another task") }
                    let taskButtons = (task["buttons"]?.arrayValue ?? []).compactMap { $0["customId"]?.stringValue }
                    let parts = customId.components(separatedBy: "::")
                    let index = Int(parts[3]) ?? 0
                    switch parts[2] {
                    case "upsample":
                        // Its own quadrant, pixel for pixel.
                        let image = try await Self.image(proxy, task)
                        if !content.contains("Image #\(index) ") || image != Self.quadrant(gridImage, index) {
                            misassigned.append("\(name): got \(content)")
                        }
                    case "variation":
                        let statuses = await recorder.statuses(id)
                        if !content.contains("Variations") || !taskButtons.contains(where: { $0.hasPrefix("MJ::JOB::variation::") }) {
                            misassigned.append("\(name): got \(content)")
                        }
                        if !statuses.contains(.inProgress) { misassigned.append("\(name): never IN_PROGRESS (\(statuses.map(\.rawValue)))") }
                        if task["properties"]?["referencedMessageId"]?.stringValue != grid["properties"]?["messageId"]?.stringValue {
                            misassigned.append("\(name): result does not reply to its grid")
                        }
                    default:
                        if content.contains("Variations") || content.contains("Image #") || !taskButtons.contains(where: { $0.hasPrefix("MJ::JOB::reroll::") }) {
                            misassigned.append("\(name): got \(content)")
                        }
                    }
                }
            }
            print("nine buttons: grids=\(grids) tasks=\(tasks) misassignments=\(misassigned.count)")
            #expect(misassigned.isEmpty, "\(misassigned.joined(separator: "\n"))")
            #expect(tasks == grids * 9)
        }
    }

    static func image(_ proxy: TestProxy, _ task: JSONValue) async throws -> RGBImage {
        guard let url = task["imageUrl"]?.stringValue else { throw TestFailure("no imageUrl") }
        let download = try await proxy.download(url)
        guard download.status == 200, let image = PNGCodec.decode(download.bytes) else { throw TestFailure("no PNG at \(url)") }
        return image
    }

    /// Quadrant `index` (1…4: top-left, top-right, bottom-left, bottom-right) of a grid.
    static func quadrant(_ grid: RGBImage, _ index: Int) -> RGBImage {
        let (w, h) = (grid.width / 2, grid.height / 2)
        let (ox, oy) = ((index - 1) % 2 * w, (index - 1) / 2 * h)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(w * h * 3)
        for y in 0..<h {
            let start = ((oy + y) * grid.width + ox) * 3
            pixels += grid.pixels[start..<start + w * 3]
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}
