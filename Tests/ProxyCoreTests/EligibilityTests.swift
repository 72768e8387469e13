import DiscordKit
import Testing

@testable import ProxyCore

@Suite("Scheduling eligibility")
struct EligibilityTests {
    /// 2024-05-01 12:00 UTC.
    let noon: Int64 = 1_714_564_800_000

    func account(_ n: Int, _ tweak: (inout AccountConfig) -> Void = { _ in }) -> AccountConfig {
        var c = AccountConfig(id: "a\(n)", guildId: "1000000000000000001", channelId: "20000000000000000\(n)", userToken: "t\(n)")
        tweak(&c)
        return c
    }

    func candidate(_ config: AccountConfig, order: Int = 0, ready: Bool = true, _ tweak: (inout AccountCandidate) -> Void = { _ in }) -> AccountCandidate {
        var c = AccountCandidate(config: config, order: order, ready: ready)
        tweak(&c)
        return c
    }

    func ids(_ r: Result<(candidates: [AccountCandidate], mode: SpeedMode?), AccountChoiceError>) -> [String]? {
        guard case .success(let ok) = r else { return nil }
        return ok.candidates.map(\.config.id)
    }

    func error(_ r: Result<(candidates: [AccountCandidate], mode: SpeedMode?), AccountChoiceError>) -> AccountChoiceError? {
        guard case .failure(let e) = r else { return nil }
        return e
    }

    @Test func notReadyOrNoBotMeansNoAccount() {
        let mjOnly = candidate(account(1) { $0.botTypes = [.midJourney] })
        let down = candidate(account(2), ready: false)
        let r = Eligibility.eligible([mjOnly, down], for: .init(botType: .nijiJourney), at: noon)
        #expect(error(r) == .noAccount)
        #expect(ids(Eligibility.eligible([mjOnly, down], for: .init(botType: .midJourney), at: noon)) == ["a1"])
        // Face swap runs on Midjourney accounts.
        #expect(ids(Eligibility.eligible([mjOnly], for: .init(botType: .insightFace), at: noon)) == ["a1"])
    }

    @Test func dailyLimitAndWorkWindow() {
        let limited = candidate(account(1) { $0.dailyLimit = 5 }) { $0.jobsToday = 5 }
        let underLimit = candidate(account(2) { $0.dailyLimit = 5 }) { $0.jobsToday = 4 }
        #expect(ids(Eligibility.eligible([limited, underLimit], for: .init(botType: .midJourney), at: noon)) == ["a2"])
        #expect(error(Eligibility.eligible([limited], for: .init(botType: .midJourney), at: noon)) == .noAccount)
        let morning = candidate(account(3) { $0.workWindow = "06:00-11:59" })
        let night = candidate(account(4) { $0.workWindow = "22:00-13:00" })
        #expect(ids(Eligibility.eligible([morning, night], for: .init(botType: .midJourney), at: noon)) == ["a4"])
        #expect(ids(Eligibility.eligible([morning, night], for: .init(botType: .midJourney), at: noon - 3 * 3_600_000)) == ["a3", "a4"])
    }

    @Test func filterMismatchIsV12() {
        let a = candidate(account(1) { $0.remark = "team blue" })
        let b = candidate(account(2) { $0.subChannels = ["3000000000000000001"] }, order: 1)
        let req = { (f: AccountFilter) in Eligibility.Request(botType: .midJourney, filter: f) }
        #expect(ids(Eligibility.eligible([a, b], for: req(AccountFilter(remark: "BLUE")), at: noon)) == ["a1"])
        #expect(ids(Eligibility.eligible([a, b], for: req(AccountFilter(instanceId: "a2")), at: noon)) == ["a2"])
        // channelId matches sub-channels too.
        #expect(ids(Eligibility.eligible([a, b], for: req(AccountFilter(channelId: "3000000000000000001")), at: noon)) == ["a2"])
        #expect(error(Eligibility.eligible([a, b], for: req(AccountFilter(instanceId: "zzz")), at: noon)) == .filterMismatch)
        let remixOn = candidate(account(3)) { $0.remixOn = true }
        #expect(ids(Eligibility.eligible([a, remixOn], for: req(AccountFilter(remix: true)), at: noon)) == ["a3"])
    }

    @Test func modesInPreferenceOrderAndV13() {
        let relaxOnly = candidate(account(1) { $0.allowedModes = [.relax] })
        let fastOnly = candidate(account(2) { $0.allowedModes = [.fast] }, order: 1)
        let any = candidate(account(3), order: 2)
        let r = Eligibility.eligible([relaxOnly, fastOnly], for: .init(botType: .midJourney, modes: [.turbo, .fast]), at: noon)
        #expect(ids(r) == ["a2"])
        if case .success(let ok) = r { #expect(ok.mode == .fast) }
        #expect(error(Eligibility.eligible([relaxOnly, fastOnly], for: .init(botType: .midJourney, modes: [.turbo]), at: noon)) == .modeUnsupported(.turbo))
        #expect(ids(Eligibility.eligible([relaxOnly, fastOnly, any], for: .init(botType: .midJourney, modes: [.turbo]), at: noon)) == ["a3"])
        // No mode requested: every account.
        #expect(ids(Eligibility.eligible([relaxOnly, fastOnly], for: .init(botType: .midJourney), at: noon)) == ["a1", "a2"])
    }

    @Test func fastExhaustedTakesOnlyRelaxAndFixedModeReplacesTheRequest() {
        let exhausted = candidate(account(1)) { $0.fastExhausted = true }
        #expect(error(Eligibility.eligible([exhausted], for: .init(botType: .midJourney, modes: [.fast]), at: noon)) == .modeUnsupported(.fast))
        #expect(ids(Eligibility.eligible([exhausted], for: .init(botType: .midJourney, modes: [.relax]), at: noon)) == ["a1"])
        let fixedRelax = candidate(account(2) { $0.fixedMode = .relax })
        // A fixed relax account takes a fast request (it runs relax), even with fast time gone.
        var exhaustedFixed = fixedRelax
        exhaustedFixed.fastExhausted = true
        #expect(ids(Eligibility.eligible([exhaustedFixed], for: .init(botType: .midJourney, modes: [.fast]), at: noon)) == ["a2"])
        let fixedFastButOnlyRelaxAllowed = candidate(account(3) { $0.fixedMode = .fast; $0.allowedModes = [.relax] })
        #expect(!Eligibility.allows(fixedFastButOnlyRelaxAllowed, mode: .relax))
    }

    @Test func noRoomAnywhereIsQueueFull() {
        let full = candidate(account(1)) { $0.hasRoom = false }
        let free = candidate(account(2), order: 1)
        #expect(ids(Eligibility.eligible([full, free], for: .init(botType: .midJourney), at: noon)) == ["a2"])
        #expect(error(Eligibility.eligible([full], for: .init(botType: .midJourney), at: noon)) == .queueFull)
    }

    @Test func actionsNeedTheParentChannel() {
        let a = candidate(account(1))
        let b = candidate(account(2) { $0.subChannels = ["200000000000000001"] }, order: 1)
        #expect(ids(Eligibility.eligible([a, b], for: .init(botType: .midJourney, channelId: "200000000000000001"), at: noon)) == ["a1", "a2"])
        #expect(ids(Eligibility.eligible([a, b], for: .init(botType: .midJourney, channelId: "200000000000000002"), at: noon)) == ["a2"])
    }
}

@Suite("Scheduling parts")
struct SchedulingPartsTests {
    @Test func workWindowParsesAndWraps() throws {
        let day = try WorkWindow("09:00-18:00")
        #expect(day.contains(minuteOfDay: 9 * 60))
        #expect(!day.contains(minuteOfDay: 18 * 60))
        #expect(!day.contains(minuteOfDay: 8 * 60 + 59))
        let night = try WorkWindow("22:00-06:00")
        #expect(night.contains(minuteOfDay: 23 * 60))
        #expect(night.contains(minuteOfDay: 5 * 60))
        #expect(!night.contains(minuteOfDay: 12 * 60))
        let two = try WorkWindow("09:10-12:00, 13:00-23:55")
        #expect(two.contains(minuteOfDay: 14 * 60))
        #expect(!two.contains(minuteOfDay: 12 * 60 + 30))
        #expect(try WorkWindow("00:00-24:00").contains(minuteOfDay: 0))
        for bad in ["", "9-17", "25:00-26:00", "09:00", "09:00-10:60", "a:b-c:d"] {
            #expect(throws: WorkWindow.ParseError.self) { try WorkWindow(bad) }
        }
        // 2024-05-01 12:30 UTC.
        #expect(two.contains(millis: 1_714_566_600_000) == false)
    }

    @Test func dailyCounterStartsAgainEachUTCDay() {
        var c = DailyCounter()
        let day1: Int64 = 1_714_564_800_000
        c.add(at: day1)
        c.add(at: day1 + 1000)
        #expect(c.count(at: day1) == 2)
        c.remove(at: day1)
        #expect(c.count(at: day1) == 1)
        #expect(c.count(at: day1 + 86_400_000) == 0)
        c.add(at: day1 + 86_400_000)
        #expect(c.count(at: day1 + 86_400_000) == 1)
        // A take-back from the previous day does not touch today's count.
        c.remove(at: day1)
        #expect(c.count(at: day1 + 86_400_000) == 1)
    }

    @Test func pacerSpacesReservationsByTheInterval() {
        var p = SubmitPacer<ContinuousClock.Instant>()
        let t0 = ContinuousClock.now
        #expect(p.reserve(now: t0, interval: .seconds(2)) == .zero)
        #expect(p.reserve(now: t0, interval: .seconds(2)) == .seconds(2))
        #expect(p.reserve(now: t0.advanced(by: .seconds(1)), interval: .seconds(2)) == .seconds(3))
        // Long after the last reservation: no wait.
        #expect(p.reserve(now: t0.advanced(by: .seconds(60)), interval: .seconds(2)) == .zero)
        #expect(p.reserve(now: t0.advanced(by: .seconds(60)), interval: .zero) == .zero)
    }

    @Test func channelChoiceSpreadsOverTheLeastBusy() {
        let chans = ["main", "sub1", "sub2"]
        #expect(ChannelChoice.leastBusy(chans, busy: []) == "main")
        #expect(ChannelChoice.leastBusy(chans, busy: ["main"]) == "sub1")
        #expect(ChannelChoice.leastBusy(chans, busy: ["main", "sub1"]) == "sub2")
        #expect(ChannelChoice.leastBusy(chans, busy: ["main", "sub1", "sub2", "sub1"]) == "main")
        #expect(ChannelChoice.leastBusy([], busy: []) == nil)
    }

    @Test func outboundProxyURLs() throws {
        let http = try OutboundProxy(url: "http://user:p%40ss@proxy.local:3128")
        #expect(http.kind == .http && http.host == "proxy.local" && http.port == 3128)
        #expect(http.credentials?.user == "user" && http.credentials?.password == "p@ss")
        #expect(http.description == "http://proxy.local:3128")
        let socks = try OutboundProxy(url: "socks5://127.0.0.1:1080")
        #expect(socks.kind == .socks5 && socks.port == 1080 && socks.credentials == nil)
        let v6 = try OutboundProxy(url: "http://[::1]:8080/")
        #expect(v6.host == "::1" && v6.port == 8080)
        for bad in ["proxy:3128", "ftp://x:1", "http://host", "http://host:0", "http://host:99999", "socks5://u:p@h:1", "http://h:1/path", "http://:80"] {
            #expect(throws: OutboundProxy.ParseError.self) { try OutboundProxy(url: bad) }
        }
    }
}
