import DiscordKit
import Foundation
import ProxyCore
import Testing

/// Task ids, lifecycle rules and the customId table.
@Suite struct TaskModelTests {
    @Test func idsAreSixteenDigitsUniqueAndOrdered() {
        let gen = TaskIDGenerator()
        var ids: [String] = []
        for _ in 0..<3000 { ids.append(gen.next(now: 1_732_512_345_678)) }
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isNumber) })
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        // The clock going backwards never produces a smaller id.
        let later = gen.next(now: 1_000)
        #expect(later > ids.last!)
    }

    @Test func progressNeverDecreasesAndIs100OnlyOnSuccess() {
        var t = MJTask(id: "1", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 10)
        t.advance(percent: 46)
        t.advance(percent: 15)
        #expect(t.progress == "46%")
        t.advance(percent: 100)
        #expect(t.progress == "99%")
        t.succeed(at: 20)
        #expect(t.progress == "100%")
        #expect(t.status == .success)
        t.fail("late", at: 30)
        #expect(t.status == .success)
        #expect(t.failReason == "")
    }

    @Test func eventsFollowVisibleChanges() {
        var t = MJTask(id: "1", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 10)
        let old = t
        #expect(TaskEvent.between(old, t) == nil)
        t.status = .submitted
        #expect(TaskEvent.between(old, t) == .submitted)
        var p = t
        p.advance(percent: 31)
        #expect(TaskEvent.between(t, p) == .progress)
        var f = p
        f.fail("x", at: 11)
        #expect(TaskEvent.between(p, f) == .failure)
    }

    @Test(arguments: [
        ("MJ::JOB::upsample::1::h", TaskAction.upscale, ModalRule.never),
        ("MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO", TaskAction.upscale, ModalRule.never),
        ("MJ::JOB::variation::4::h", TaskAction.variation, ModalRule.remix),
        ("MJ::JOB::low_variation::1::h::SOLO", TaskAction.lowVariation, ModalRule.remix),
        ("MJ::JOB::reroll::0::h::SOLO", TaskAction.reroll, ModalRule.remix),
        ("MJ::JOB::pan_left::1::h::SOLO", TaskAction.pan, ModalRule.remix),
        ("MJ::Outpaint::50::1::h::SOLO", TaskAction.zoom, ModalRule.remix),
        ("MJ::CustomZoom::h", TaskAction.customZoom, ModalRule.always),
        ("MJ::Inpaint::1::h::SOLO", TaskAction.inpaint, ModalRule.always),
        ("MJ::Picread::Retry", TaskAction.describe, ModalRule.never),
    ])
    func customIds(id: String, action: TaskAction, modal: ModalRule) {
        let rule = CustomIdRules.action(for: id)
        #expect(rule?.action == action)
        #expect(rule?.modal == modal)
    }

    @Test func unsupportedCustomIds() {
        for id in ["MJ::BOOKMARK::h", "MJ::Job::PicReader::all", "MJ::Settings::RemixMode", "MJ::JOB::upsample::5::h", "hello"] {
            #expect(CustomIdRules.action(for: id) == nil, "\(id)")
        }
        #expect(CustomIdRules.shortName("MJ::JOB::upsample::3::h") == "U3")
        #expect(CustomIdRules.shortName("MJ::JOB::reroll::0::h::SOLO") == "R")
    }

    @Test func storeKeepsTasksAndUnfinishedOnes() async throws {
        let store = MemoryTaskStore()
        var a = MJTask(id: "1000000000000001", action: .imagine, botType: .midJourney, prompt: "a", submitTime: 1)
        let b = MJTask(id: "1000000000000002", action: .imagine, botType: .midJourney, prompt: "b", submitTime: 2)
        try await store.save(a)
        try await store.save(b)
        a.succeed(at: 5)
        try await store.save(a)
        #expect(try await store.unfinished().tasks.map(\.id) == ["1000000000000002"])
        #expect(try await store.list(limit: 10, before: nil).map(\.id) == ["1000000000000002", "1000000000000001"])
        #expect(try await store.list(limit: 10, before: "1000000000000002").map(\.id) == ["1000000000000001"])
    }
}
