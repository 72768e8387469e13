import DiscordKit
import Foundation
import Testing

@testable import Sandbox

/// Bounds on what Discord, a server or a client can make DiscordKit and the sandbox hold or compute:
/// the zlib inflater's output, rate-limit waits from headers, JSON numbers, the sandbox's state.
@Suite struct InputBoundsTests {
    @Test func inflaterRefusesAMessageThatInflatesBeyondItsCap() throws {
        let deflater = try ZlibStreamDeflater()
        // 3 MB of zeros compress to a few KB: a small frame, a large message.
        let bomb = try deflater.compress([UInt8](repeating: 0x20, count: 3 << 20))
        #expect(bomb.count < 64 << 10)
        let inflater = try ZlibStreamInflater(maxMessageBytes: 1 << 20)
        #expect(throws: DiscordError.self) { _ = try inflater.feed(bomb) }
        // The same message under a larger cap is fine.
        let roomy = try ZlibStreamInflater(maxMessageBytes: 4 << 20)
        let fresh = try ZlibStreamDeflater()
        #expect(try roomy.feed(try fresh.compress([UInt8](repeating: 0x20, count: 3 << 20)))?.count == 3 << 20)
    }

    @Test func inflaterRefusesFramesThatNeverEndAMessage() throws {
        let inflater = try ZlibStreamInflater(maxMessageBytes: 64 << 10)
        let frame = [UInt8](repeating: 0x41, count: 16 << 10)
        for _ in 0..<3 { #expect(try inflater.feed(frame) == nil) }
        #expect(throws: DiscordError.self) { _ = try inflater.feed(frame + frame) }
    }

    @Test func rateLimitWaitsFromHeadersAreClamped() {
        #expect(RateLimiter.milliseconds(.infinity) == 600_000)
        #expect(RateLimiter.milliseconds(1e300) == 600_000)
        #expect(RateLimiter.milliseconds(.nan) == 0)
        #expect(RateLimiter.milliseconds(-1e19) == 0)
        #expect(RateLimiter.milliseconds(1.5) == 1500)
    }

    @Test func rateLimiterSurvivesAbsurdRetryAfter() async throws {
        let limiter = RateLimiter()
        await limiter.recordLimited(route: "r", retryAfter: .infinity, global: false)
        await limiter.record(route: "s", remaining: 0, resetAfter: .infinity)
        await limiter.recordLimited(route: "t", retryAfter: -.infinity, global: true)
        // A route never limited goes at once after the global block of "0 s" (+10 ms) passes.
        try await limiter.waitTurn(route: "other")
    }

    @Test func jsonIntegersOutOfRangeAreNotIntegers() throws {
        let parsed = try JSONValue.parse("[1e19, -1e19, 9223372036854775807, 1.5, 2.0, 1e15]")
        let ints = parsed.arrayValue?.map(\.intValue)
        #expect(ints == [nil, nil, Int64.max, nil, 2, 1_000_000_000_000_000])
        #expect(JSONValue.double(1e19).compactString == "1e+19")
        #expect(JSONValue.double(.infinity).compactString == "null")
        #expect((try? JSONValue.parse("[1e400]")) == nil)
    }

    @Test func sandboxUploadSlotsAreBounded() async {
        let world = SandboxWorld(configuration: SandboxConfiguration(port: 0, gatewayPort: 0))
        let first = await world.reserveUpload(filename: "a.png").uploadFilename
        for _ in 0..<SandboxWorld.Limits.pendingUploads { _ = await world.reserveUpload(filename: "b.png") }
        // The oldest slot was evicted; the newest still works.
        #expect(await world.completeUpload(uploadFilename: first, bytes: [1], contentType: "image/png") == false)
        let last = await world.reserveUpload(filename: "c.png").uploadFilename
        #expect(await world.completeUpload(uploadFilename: last, bytes: [1, 2], contentType: "image/png"))
        #expect(await world.takeUpload(last)?.bytes == [1, 2])
    }

    @Test func sandboxUploadBytesAreBounded() async {
        let world = SandboxWorld(configuration: SandboxConfiguration(port: 0, gatewayPort: 0))
        let big = [UInt8](repeating: 7, count: SandboxWorld.Limits.pendingUploadBytes / 2 + 1)
        let a = await world.reserveUpload(filename: "a.png").uploadFilename
        let b = await world.reserveUpload(filename: "b.png").uploadFilename
        #expect(await world.completeUpload(uploadFilename: a, bytes: big, contentType: "image/png"))
        #expect(await world.completeUpload(uploadFilename: b, bytes: big, contentType: "image/png"))
        // Together they pass the byte bound: the older one is gone.
        #expect(await world.takeUpload(a) == nil)
        #expect(await world.takeUpload(b)?.bytes.count == big.count)
    }

    @Test func sandboxCDNIsBoundedByBytes() async {
        let world = SandboxWorld(configuration: SandboxConfiguration(port: 0, gatewayPort: 0))
        let big = [UInt8](repeating: 1, count: SandboxWorld.Limits.fileBytes / 3 + 1)
        var urls: [String] = []
        for n in 0..<4 {
            let a = await world.storeAttachment(channelId: "c", filename: "f\(n).png", bytes: big, contentType: "image/png", width: nil, height: nil)
            urls.append(a.url)
        }
        #expect(await world.file(url: urls[0]) == nil)
        #expect(await world.file(url: urls[3])?.bytes.count == big.count)
    }

    @Test func sandboxDMChannelsAndFaultsAreBounded() async {
        let world = SandboxWorld(configuration: SandboxConfiguration(port: 0, gatewayPort: 0))
        let first = await world.dmChannel(userId: "u0", botId: SandboxIDs.midjourney)
        for n in 1...SandboxWorld.Limits.dmChannels { _ = await world.dmChannel(userId: "u\(n)", botId: SandboxIDs.midjourney) }
        #expect(await world.dmOwner(first) == nil)
        #expect(await world.access(userId: "u0", channelId: first) == .unknown)
        for _ in 0..<(SandboxWorld.Limits.faultsPerUser + 50) { await world.arm(.noAnswer, forToken: "t") }
        let user = await world.user(forToken: "t")
        var taken = 0
        while await world.takeFault(userId: user?.id ?? "", among: [.noAnswer]) != nil { taken += 1 }
        #expect(taken == SandboxWorld.Limits.faultsPerUser)
    }

    @Test func closeCodesOutsideTheWebSocketRangeAreRefused() {
        #expect(SandboxRoutes.closeCode(nil) == 4000)
        #expect(SandboxRoutes.closeCode(.null) == 4000)
        #expect(SandboxRoutes.closeCode(.int(4004)) == 4004)
        #expect(SandboxRoutes.closeCode(.int(70000)) == nil)
        #expect(SandboxRoutes.closeCode(.int(-1)) == nil)
        #expect(SandboxRoutes.closeCode(.double(1e19)) == nil)
        #expect(SandboxRoutes.closeCode(.string("4000")) == nil)
    }
}
