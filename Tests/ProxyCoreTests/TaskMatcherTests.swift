import DiscordKit
import Foundation
import Testing

@testable import ProxyCore

/// `TaskMatcher` over message sequences of the reference: which running task each bot message
/// belongs to, and which messages belong to none.
@Suite struct TaskMatcherTests {
    typealias B = BotMessages
    static let grid = "1172000000000000100"
    static let h = "a7cb1552-f779-4094-9afe-2acf22dae280"
    static let prompt = "glass --ar 1:1"

    /// A matcher that knows its user, with `tasks` sent (nonce `n-<id>`).
    static func matcher(_ tasks: [TaskFacts]) -> TaskMatcher {
        var m = TaskMatcher(ownUserId: B.user)
        for t in tasks {
            m.track(t)
            m.bind(nonce: "n-\(t.id)", to: t.id)
        }
        return m
    }

    static func button(_ id: String, _ action: TaskAction, _ customId: String, start: Int64) -> TaskFacts {
        TaskFacts(id: id, action: action, customId: customId, prompt: prompt, parentMessageId: grid, botApplicationId: B.bot, startTime: start)
    }

    static func imagine(_ id: String, start: Int64 = 1) -> TaskFacts {
        TaskFacts(id: id, action: .imagine, prompt: prompt, botApplicationId: B.bot, startTime: start)
    }

    static func route(_ m: inout TaskMatcher, _ msg: Message, update: Bool = false) -> String? {
        m.route(msg, event: MJMessageParser.classify(msg), isUpdate: update)
    }

    @Test func imagineStartProgressFinalThenItsEditsMatchNobody() throws {
        var m = Self.matcher([Self.imagine("t1")])
        let start = try B.message(id: "80", content: "**glass --ar 1:1** - <@\(B.user)> (Waiting to start)", nonce: "n-t1", interactionId: "81")
        #expect(Self.route(&m, start) == "t1")
        let progress = try B.message(
            id: "80", content: "**glass --ar 1:1** - <@\(B.user)> (31%) (fast)", attachment: "\(Self.h)_grid_0.webp", ephemeralAttachment: true)
        #expect(Self.route(&m, progress, update: true) == "t1")
        #expect(m.tasks["t1"]?.phase == .inProgress)
        let final = try B.message(
            id: Self.grid, content: "**glass --ar 1:1** - <@\(B.user)> (fast)", attachment: "alice_glass_\(Self.h).png", buttons: B.gridButtons(Self.h))
        #expect(Self.route(&m, final) == "t1")
        m.forget("t1")
        // A second imagine with the same prompt runs; the first grid is edited when U1 is pressed.
        m.track(Self.imagine("t2", start: 5))
        m.bind(nonce: "n-t2", to: "t2")
        let edit = try B.message(
            id: Self.grid, content: "**glass --ar 1:1** - <@\(B.user)> (fast)", attachment: "alice_glass_\(Self.h).png", buttons: B.gridButtons(Self.h),
            pressed: "MJ::JOB::upsample::1::\(Self.h)")
        #expect(Self.route(&m, edit, update: true) == nil)
        #expect(Self.route(&m, progress, update: true) == nil, "the first task's progress message is retired")
    }

    @Test func subChannelJobsNeverTakeEachOthersResults() throws {
        // Same prompt on one account, sent to two channels; the earlier one would win a content tie.
        var m = Self.matcher([Self.imagine("t1", start: 1), Self.imagine("t2", start: 2)])
        m.setChannel(B.channel, for: "t1")
        m.setChannel("1172000000000000099", for: "t2")
        let final = try B.message(
            id: "300", content: "**glass --ar 1:1** - <@\(B.user)> (fast)", attachment: "alice_glass_\(Self.h).png", buttons: B.gridButtons(Self.h),
            in: "1172000000000000099")
        #expect(Self.route(&m, final) == "t2")
    }

    @Test func gridEditOfAnUnknownFinishedMessageFinishesNoTask() throws {
        // The grid finished before this process ran (or on another account's watch); a running
        // imagine with the same prompt must not take its button-press edit.
        var m = Self.matcher([Self.imagine("t1")])
        let edit = try B.message(
            id: Self.grid, content: "**glass --ar 1:1** - <@\(B.user)> (fast)", attachment: "alice_glass_\(Self.h).png", buttons: B.gridButtons(Self.h),
            pressed: "MJ::JOB::variation::2::\(Self.h)")
        #expect(Self.route(&m, edit, update: true) == nil)
        // The same content as a MESSAGE_CREATE is a result and does fit.
        #expect(Self.route(&m, edit, update: false) == "t1")
    }

    @Test func fourUpscalePicksEachGetTheirOwnImage() throws {
        var m = Self.matcher((1...4).map { Self.button("u\($0)", .upscale, "MJ::JOB::upsample::\($0)::\(Self.h)", start: Int64($0)) })
        for i in [3, 1, 4, 2] {
            let reply = try B.message(
                id: "20\(i)", content: "**glass --ar 1:1** - Image #\(i) <@\(B.user)>", type: 19, attachment: "alice_glass_new\(i).png",
                buttons: B.upscaleButtons("0000000\(i)-0000-0000-0000-000000000000"), reference: Self.grid)
            #expect(Self.route(&m, reply) == "u\(i)")
            m.forget("u\(i)")
        }
    }

    @Test func aVariationResultIsNeverTakenByAnUpscale() throws {
        var m = Self.matcher([Self.button("u1", .upscale, "MJ::JOB::upsample::1::\(Self.h)", start: 1)])
        let variation = try B.message(
            id: "300", content: "**glass --ar 1:1** - Variations (Strong) by <@\(B.user)> (fast)", type: 19, attachment: "alice_glass_v.png",
            buttons: B.gridButtons("11111111-0000-0000-0000-000000000000"), reference: Self.grid)
        #expect(Self.route(&m, variation) == nil)
        let otherIndex = try B.message(
            id: "301", content: "**glass --ar 1:1** - Image #2 <@\(B.user)>", type: 19, attachment: "alice_glass_u2.png", reference: Self.grid)
        #expect(Self.route(&m, otherIndex) == nil)
    }

    @Test func variationStartFormAndProgressEditsReportProgress() throws {
        var m = Self.matcher((1...4).map { Self.button("v\($0)", .variation, "MJ::JOB::variation::\($0)::\(Self.h)", start: Int64($0)) })
        // Start form without nonce (as after a remix modal): the image index picks the task.
        let start = try B.message(
            id: "400", content: "Making variations for image #3 with prompt **glass --ar 1:1** - <@\(B.user)> (Waiting to start)")
        guard case .started(let c) = MJMessageParser.classify(start) else {
            Issue.record("start form not recognised")
            return
        }
        #expect(c.startForm == .variations && c.imageIndex == 3)
        #expect(Self.route(&m, start) == "v3")
        #expect(m.tasks["v3"]?.phase == .inProgress)
        let progress = try B.message(
            id: "400", content: "**glass --ar 1:1** - Variations (Strong) by <@\(B.user)> (31%) (fast)", attachment: "22222222-0000-0000-0000-000000000000_grid_0.webp")
        #expect(Self.route(&m, progress, update: true) == "v3")
        // The result (no nonce, reply to the grid, same words as the other three) goes by the preview's job hash.
        let final = try B.message(
            id: "401", content: "**glass --ar 1:1** - Variations (Strong) by <@\(B.user)> (fast)", type: 19,
            attachment: "alice_glass_22222222-0000-0000-0000-000000000000.png", buttons: B.gridButtons("22222222-0000-0000-0000-000000000000"),
            reference: Self.grid)
        #expect(Self.route(&m, final) == "v3")
    }

    @Test func ambiguousProgressIsNotGuessed() throws {
        var m = Self.matcher((1...2).map { Self.button("v\($0)", .variation, "MJ::JOB::variation::\($0)::\(Self.h)", start: Int64($0)) })
        let progress = try B.message(id: "500", content: "**glass --ar 1:1** - Variations (Strong) by <@\(B.user)> (31%) (fast)")
        #expect(Self.route(&m, progress, update: true) == nil)
    }

    @Test func resultsMentioningAnotherUserAreNotOurs() throws {
        var m = Self.matcher([Self.imagine("t1")])
        let final = try B.message(
            id: "600", content: "**glass --ar 1:1** - <@999> (fast)", attachment: "bob_glass_\(Self.h).png", buttons: B.gridButtons(Self.h), mentioning: "999")
        #expect(Self.route(&m, final) == nil)
    }

    @Test func aBoundMessageIsNeverTakenByAnother() throws {
        var m = Self.matcher([Self.imagine("t1"), TaskFacts(id: "t2", action: .imagine, prompt: "other words", botApplicationId: B.bot, startTime: 0)])
        let start = try B.message(id: "700", content: "**glass --ar 1:1** - <@\(B.user)> (Waiting to start)", nonce: "n-t1")
        #expect(Self.route(&m, start) == "t1")
        // An edit of t1's message whose text (and even nonce) fits t2 still belongs to t1.
        let edit = try B.message(id: "700", content: "**other words** - <@\(B.user)> (15%) (fast)", nonce: "n-t2")
        #expect(Self.route(&m, edit, update: true) == "t1")
    }

    @Test func errorsWithoutNonceGoThroughTheRepliedMessageOrTheInteraction() throws {
        var m = Self.matcher([
            Self.button("v1", .variation, "MJ::JOB::variation::1::\(Self.h)", start: 1), Self.button("v2", .variation, "MJ::JOB::variation::2::\(Self.h)", start: 2),
            Self.imagine("t3"),
        ])
        let start = try B.message(
            id: "800", content: "Making variations for image #1 with prompt **glass --ar 1:1** - <@\(B.user)> (Waiting to start)", nonce: "n-v1")
        #expect(Self.route(&m, start) == "v1")
        let cancelled = try B.message(
            id: "801", type: 19, reference: "800", embed: ("Request cancelled due to output filters", "Sorry, this image was filtered."))
        #expect(Self.route(&m, cancelled) == "v1")
        // Replying to the grid, which two submitted tasks came from: not guessed.
        #expect(Self.route(&m, try B.message(id: "803", type: 19, reference: Self.grid, embed: ("Invalid request", "x"))) == nil)
        // Through the interaction id of INTERACTION_CREATE.
        #expect(m.interactionAcknowledged(id: "900", nonce: "n-t3") == "t3")
        #expect(Self.route(&m, try B.message(id: "804", interactionId: "900", embed: ("Invalid parameter", "Unrecognized parameter(s)"))) == "t3")
    }

    @Test func upscaleStylesAndPanDirectionsFitOnlyTheirButton() {
        func fits(_ content: String, _ action: TaskAction, _ customId: String) -> Bool {
            guard let c = MJMessageParser.parseContent(content) else { return false }
            return ActionLabel.fits(c, action: action, customId: customId)
        }
        let subtle = "MJ::JOB::upsample_v6_2x_subtle::1::\(Self.h)::SOLO"
        let creative = "MJ::JOB::upsample_v6_2x_creative::1::\(Self.h)::SOLO"
        #expect(fits("**p** - Upscaled (Subtle) by <@1> (fast)", .upscale, subtle))
        #expect(!fits("**p** - Upscaled (Subtle) by <@1> (fast)", .upscale, creative))
        #expect(fits("**p** - Upscaling by <@1> (31%) (fast)", .upscale, creative))
        #expect(!fits("**p** - Image #1 <@1>", .upscale, subtle))
        #expect(fits("**p** - Pan Left by <@1> (fast)", .pan, "MJ::JOB::pan_left::1::\(Self.h)::SOLO"))
        #expect(!fits("**p** - Pan Left by <@1> (fast)", .pan, "MJ::JOB::pan_up::1::\(Self.h)::SOLO"))
        #expect(fits("**p** - Variations (Subtle) by <@1> (fast)", .lowVariation, "MJ::JOB::low_variation::1::\(Self.h)::SOLO"))
        #expect(!fits("**p** - Variations (Subtle) by <@1> (fast)", .highVariation, "MJ::JOB::high_variation::1::\(Self.h)::SOLO"))
        #expect(!fits("**p** - Variations (Region) by <@1> (fast)", .variation, "MJ::JOB::variation::1::\(Self.h)"))
        #expect(!fits("**p** - <@1> (fast)", .variation, "MJ::JOB::variation::1::\(Self.h)"))
        #expect(fits("**p** - <@1> (fast)", .reroll, "MJ::JOB::reroll::0::\(Self.h)::SOLO"))
    }

    @Test func promptKeysCompareLikeThePeers() {
        #expect(PromptKey("<https://s.mj.run/X-tG9> Aerial   photography --ar 16:9 --v 6.0").fit(PromptKey("https://example.com/a.png aerial photography")) == 2)
        #expect(PromptKey("cat --ar 1:1").fit(PromptKey("cat --ar 16:9 --niji 6")) == 2)
        #expect(PromptKey("cat").fit(PromptKey("cat sitting on a chair")) == 1)
        #expect(PromptKey("cat").fit(PromptKey("category")) == 0)
        #expect(PromptKey("").fit(PromptKey("cat")) == 0)
    }

    @Test func forgottenTasksReleaseTheirBindings() throws {
        var m = Self.matcher([Self.imagine("t1")])
        m.forget("t1")
        #expect(m.task(nonce: "n-t1") == nil)
        #expect(Self.route(&m, try B.message(id: "1000", content: "**glass --ar 1:1** - <@\(B.user)> (Waiting to start)", nonce: "n-t1")) == nil)
    }
}
