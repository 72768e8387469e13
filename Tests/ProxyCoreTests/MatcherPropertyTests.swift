import DiscordKit
import Foundation
import Testing

@testable import ProxyCore


/// Property: N tasks on one account — same prompt, same parent grid, every action kind — with the
/// bot's events (interaction acks, start messages, progress edits, grid edits of the parent, final
/// messages, some errors, a stranger's result) interleaved in random orders: every task ends with
/// its own result, and no message ends a task it does not belong to.
@Suite struct MatcherPropertyTests {
    typealias B = BotMessages
    static let prompt = "a red fox in the snow --ar 1:1 --v 6.0"
    static let parent = "1172000000000000100"
    static let parentHash = "a7cb1552-f779-4094-9afe-2acf22dae280"

    /// One task of the scenario: its facts, and what its job looks like in Discord.
    struct Job {
        var facts: TaskFacts
        /// Start line; nil for U1–U4 (a single reply).
        var start: String?
        /// Action words of progress and final lines.
        var label: String
        /// The final is a reply to the parent grid.
        var reply: Bool
        var isVariation: Bool
    }

    /// What a gateway event is, and whose it is.
    enum Step {
        case ack(interactionId: String, nonce: String)
        case message(Message, update: Bool, owner: String?, ends: Bool)
    }

    static func jobs() -> [Job] {
        let h = parentHash
        let p = prompt
        let u = B.user
        func button(_ id: String, _ action: TaskAction, _ customId: String, start: String?, label: String, variation: Bool = false) -> Job {
            Job(
                facts: TaskFacts(id: id, action: action, customId: customId, prompt: p, parentMessageId: parent, botApplicationId: B.bot, startTime: 0),
                start: start, label: label, reply: true, isVariation: variation)
        }
        var jobs: [Job] = []
        for i in 1...4 {
            jobs.append(button("U\(i)", .upscale, "MJ::JOB::upsample::\(i)::\(h)", start: nil, label: "Image #\(i)"))
            jobs.append(
                button(
                    "V\(i)", .variation, "MJ::JOB::variation::\(i)::\(h)", start: "Making variations for image #\(i) with prompt **\(p)** - <@\(u)> (Waiting to start)",
                    label: "Variations (Strong) by", variation: true))
        }
        let waiting = "**\(p)** - <@\(u)> (Waiting to start)"
        var reroll = button("R", .reroll, "MJ::JOB::reroll::0::\(h)::SOLO", start: waiting, label: "")
        reroll.reply = false
        jobs.append(reroll)
        jobs.append(
            button(
                "VS", .highVariation, "MJ::JOB::high_variation::1::\(h)::SOLO", start: "Making variations for image #1 with prompt **\(p)** - <@\(u)> (Waiting to start)",
                label: "Variations (Strong) by", variation: true))
        jobs.append(
            button(
                "VW", .lowVariation, "MJ::JOB::low_variation::1::\(h)::SOLO", start: "Making variations for image #1 with prompt **\(p)** - <@\(u)> (Waiting to start)",
                label: "Variations (Subtle) by", variation: true))
        jobs.append(button("Z", .zoom, "MJ::Outpaint::50::1::\(h)::SOLO", start: waiting, label: "Zoom Out by"))
        jobs.append(button("P", .pan, "MJ::JOB::pan_left::1::\(h)::SOLO", start: waiting, label: "Pan Left by"))
        let upscaling = "Upscaling image #1 with **\(p)** - <@\(u)> (Waiting to start)"
        jobs.append(button("US", .upscale, "MJ::JOB::upsample_v6_2x_subtle::1::\(h)::SOLO", start: upscaling, label: "Upscaled (Subtle) by"))
        jobs.append(button("UC", .upscale, "MJ::JOB::upsample_v6_2x_creative::1::\(h)::SOLO", start: upscaling, label: "Upscaled (Creative) by"))
        jobs.append(
            Job(facts: TaskFacts(id: "I", action: .imagine, prompt: p, botApplicationId: B.bot, startTime: 0), start: waiting, label: "", reply: false, isVariation: false))
        return jobs
    }

    static func hash(_ rng: inout SplitMix64) -> String {
        let hex = String(format: "%016llx%016llx", rng.next(), rng.next())
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    /// The causally ordered events of one job (`fails`: an error instead of the result).
    static func steps(_ job: Job, nonce: String, interactionId: String, ids: inout Int, rng: inout SplitMix64, fails: Bool) throws -> [Step] {
        func nextId() -> String {
            ids += 1
            return String(1_172_000_000_000_100_000 + ids)
        }
        let id = job.facts.id
        let p = prompt
        let u = B.user
        let mid = job.label.isEmpty ? "" : job.label + " "
        var out: [Step] = [.ack(interactionId: interactionId, nonce: nonce)]
        let gridEdit = try B.message(
            id: parent, content: "**\(p)** - <@\(u)> (fast)", attachment: "alice_a_red_fox_\(parentHash).png", buttons: B.gridButtons(parentHash),
            pressed: job.facts.customId)
        if job.facts.parentMessageId != nil { out.append(.message(gridEdit, update: true, owner: nil, ends: false)) }
        var startId: String?
        if let start = job.start {
            let sid = nextId()
            startId = sid
            out.append(.message(try B.message(id: sid, content: start, nonce: nonce, interactionId: interactionId), update: false, owner: id, ends: false))
        }
        if fails {
            // An error: with the nonce, or only the interaction id, or only a reply to the start message.
            let way = Int(rng.next() % 3)
            let error: Message
            switch (way, startId) {
            case (0, _):
                error = try B.message(id: nextId(), nonce: nonce, interactionId: interactionId, embed: ("Invalid parameter", "Unrecognized parameter(s)"))
            case (2, let sid?):
                error = try B.message(id: nextId(), type: 19, reference: sid, embed: ("Request cancelled due to output filters", "Sorry!"))
            default:
                error = try B.message(id: nextId(), interactionId: interactionId, embed: ("Job action restricted", "Not allowed"))
            }
            out.append(.message(error, update: false, owner: id, ends: true))
            return out
        }
        let resultHash = hash(&rng)
        if let sid = startId {
            let preview = "\(resultHash)_grid_0.webp"
            out.append(.message(try B.message(id: sid, content: "**\(p)** - \(mid)<@\(u)> (0%) (fast)"), update: true, owner: id, ends: false))
            for percent in [31, 62, 93] {
                let edit = try B.message(id: sid, content: "**\(p)** - \(mid)<@\(u)> (\(percent)%) (fast)", attachment: preview, ephemeralAttachment: true)
                out.append(.message(edit, update: true, owner: id, ends: false))
            }
        }
        let content = job.facts.customId?.contains("::upsample::") == true ? "**\(p)** - \(job.label) <@\(u)>" : "**\(p)** - \(mid)<@\(u)> (fast)"
        let final = try B.message(
            id: nextId(), content: content, type: job.reply ? 19 : 0, attachment: "alice_a_red_fox_\(resultHash).png",
            buttons: job.label.contains("Image") || job.label.contains("Upscaled") ? B.upscaleButtons(resultHash) : B.gridButtons(resultHash),
            reference: job.reply ? parent : nil)
        out.append(.message(final, update: false, owner: id, ends: true))
        // Midjourney edits a fresh result too when its buttons come into use; nobody may take that edit.
        if rng.next() % 2 == 0 { out.append(.message(final, update: true, owner: nil, ends: false)) }
        return out
    }

    /// Outcome of one run.
    struct RunResult {
        var tasks = 0
        var misassigned = 0
        var unfinished = 0
        var variationsWithoutProgress = 0
        var notes: [String] = []
    }

    static func run(seed: UInt64) throws -> RunResult {
        var rng = SplitMix64(seed: seed)
        var matcher = TaskMatcher(ownUserId: B.user)
        var queues: [[Step]] = []
        var ids = 0
        let jobs = jobs().shuffled(using: &rng)
        var expectFailure: Set<String> = []
        for (n, var job) in jobs.enumerated() {
            job.facts.startTime = Int64(n)
            matcher.track(job.facts)
            let nonce = String(1_172_000_000_000_050_000 + n)
            matcher.bind(nonce: nonce, to: job.facts.id)
            let fails = rng.next() % 8 == 0
            if fails { expectFailure.insert(job.facts.id) }
            queues.append(try steps(job, nonce: nonce, interactionId: String(1_172_000_000_000_080_000 + n), ids: &ids, rng: &rng, fails: fails))
        }
        // A stranger's job with the same prompt in the same channel.
        let stranger = hash(&rng)
        queues.append([
            .message(
                try B.message(
                    id: "1172000000000999999", content: "**\(prompt)** - <@999> (fast)", attachment: "bob_a_red_fox_\(stranger).png",
                    buttons: B.gridButtons(stranger), mentioning: "999"), update: false, owner: nil, ends: false)
        ])
        var result = RunResult(tasks: jobs.count)
        var ended: [String: String] = [:]  // task → owner of the message that ended it
        var progressed: Set<String> = []
        while !queues.isEmpty {
            let q = Int(rng.next() % UInt64(queues.count))
            let step = queues[q].removeFirst()
            if queues[q].isEmpty { queues.remove(at: q) }
            switch step {
            case .ack(let iid, let nonce):
                _ = matcher.interactionAcknowledged(id: iid, nonce: nonce)
            case .message(let m, let update, let owner, let ends):
                let event = MJMessageParser.classify(m)
                guard let taskId = matcher.route(m, event: event, isUpdate: update) else {
                    if ends, let owner { result.notes.append("seed \(seed): \(owner)'s result matched nobody: \(m.content)") }
                    continue
                }
                if taskId != owner {
                    result.misassigned += 1
                    result.notes.append("seed \(seed): \(owner ?? "nobody")'s message went to \(taskId): \(m.content) update=\(update)")
                }
                switch event {
                case .started, .progress: progressed.insert(taskId)
                case .finished, .error:
                    ended[taskId] = owner ?? "nobody"
                    matcher.forget(taskId)
                default: break
                }
            }
        }
        for job in jobs {
            let id = job.facts.id
            guard ended[id] != nil else {
                result.unfinished += 1
                result.notes.append("seed \(seed): \(id) never ended")
                continue
            }
            if job.isVariation && !expectFailure.contains(id) && !progressed.contains(id) { result.variationsWithoutProgress += 1 }
        }
        return result
    }

    @Test func everyTaskEndsWithItsOwnResultInAnyOrder() throws {
        let runs = 500
        var total = RunResult()
        for seed in 1...UInt64(runs) {
            let r = try Self.run(seed: seed)
            total.tasks += r.tasks
            total.misassigned += r.misassigned
            total.unfinished += r.unfinished
            total.variationsWithoutProgress += r.variationsWithoutProgress
            total.notes += r.notes.prefix(3)
        }
        print("matcher property: runs=\(runs) tasks=\(total.tasks) misassignments=\(total.misassigned) unfinished=\(total.unfinished) variationsWithoutProgress=\(total.variationsWithoutProgress)")
        #expect(total.misassigned == 0, "\(total.notes.prefix(10).joined(separator: "\n"))")
        #expect(total.unfinished == 0, "\(total.notes.prefix(10).joined(separator: "\n"))")
        #expect(total.variationsWithoutProgress == 0)
    }
}
