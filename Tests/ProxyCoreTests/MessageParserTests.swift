import DiscordKit
import Foundation
import Testing

@testable import ProxyCore

/// The Midjourney message grammar over the real texts of the reference.
@Suite struct MessageParserTests {
    static let bot = DiscordUser(id: "936929561302675456", username: "Midjourney Bot", discriminator: "9282", bot: true)

    static func message(_ content: String, attachments: [DiscordKit.Attachment] = [], embeds: [Embed] = []) -> Message {
        Message(
            id: "1", channel_id: "2", guild_id: "3", author: bot, content: content, timestamp: nil, attachments: attachments, embeds: embeds)
    }

    static let grid = DiscordKit.Attachment(
        id: "9", filename: "alice_glass_a7cb1552-f779-4094-9afe-2acf22dae280.png",
        url: "https://cdn.discordapp.com/attachments/1/9/alice_glass_a7cb1552-f779-4094-9afe-2acf22dae280.png?ex=663f1a2b&is=663dc8ab&hm=9d4f&")

    @Test func waitingToStart() {
        let e = MJMessageParser.classify(Self.message("**glass --ar 1:1** - <@1172000000000000003> (Waiting to start)"))
        guard case .started(let c) = e else { Issue.record("\(e)"); return }
        #expect(c.prompt == "glass --ar 1:1")
        #expect(c.userId == "1172000000000000003")
        let v = MJMessageParser.classify(
            Self.message("Making variations for image #1 with prompt **cat** - <@1012983546824114217> (Waiting to start)"))
        guard case .started(let vc) = v else { Issue.record("\(v)"); return }
        #expect(vc.prompt == "cat")
        #expect(vc.imageIndex == 1)
    }

    @Test(arguments: [
        ("**cat** - <@1012983546824114217> (0%) (relaxed)", "cat", 0, SpeedMode.relax, ""),
        ("**glass --ar 1:1** - <@1172000000000000003> (31%) (fast)", "glass --ar 1:1", 31, SpeedMode.fast, ""),
        ("**cat** - Variations (Strong) by <@1012983546824114217> (0%) (relaxed)", "cat", 0, SpeedMode.relax, "Variations (Strong) by"),
        ("**girl --raw --v 7.0** - Upscaling by <@123> (31%) (fast)", "girl --raw --v 7.0", 31, SpeedMode.fast, "Upscaling by"),
        ("**car --ar 3:2 --seed 2960366558 --video 1** - <@1323696991334694963> (75%) (fast)", "car --ar 3:2 --seed 2960366558 --video 1", 75, SpeedMode.fast, ""),
    ])
    func progressLines(content: String, prompt: String, percent: Int, mode: SpeedMode, label: String) {
        let e = MJMessageParser.classify(Self.message(content))
        guard case .progress(let c, _) = e else { Issue.record("\(e)"); return }
        #expect(c.prompt == prompt)
        #expect(c.percent == percent)
        #expect(c.mode == mode)
        #expect(c.label == label)
    }

    @Test(arguments: [
        ("**Sea, waves, background image, realistic.** - <@1013250593877397634> (relaxed)", "Sea, waves, background image, realistic.", "", SpeedMode.relax),
        ("**Coca-Cola. --s 750 --niji 5** - <@1013250593877397634> (Open on website for full quality) (relaxed)", "Coca-Cola. --s 750 --niji 5", "", SpeedMode.relax),
        ("**cat sitting on a chair --ar 16:9** - <@123456789> (relaxed, stealth)", "cat sitting on a chair --ar 16:9", "", SpeedMode.relax),
        ("**<https://s.mj.run/X-tG9-sshyk> Aerial photography --ar 16:9 --v 6.0** - <@1325403477765132341> (Open on website for full quality) (relaxed)", "<https://s.mj.run/X-tG9-sshyk> Aerial photography --ar 16:9 --v 6.0", "", SpeedMode.relax),
        ("**cat** - Variations (Strong) by <@1217674642169528330> [(Open on website for full quality)](<https://midjourney.com/jobs/b21f08de-3d62-49aa-b38f-e06eddec9765>) (fast)", "cat", "Variations (Strong) by", SpeedMode.fast),
        ("**Magical forest, purple theme, butterflys --v 6.0 --ar 16:9 --relax** - Zoom Out by <@1258981874265493627> (relaxed)", "Magical forest, purple theme, butterflys --v 6.0 --ar 16:9 --relax", "Zoom Out by", SpeedMode.relax),
        ("**car an. --niji 6 --relax --ar 5:4** - Pan Right by <@1270516632128720930> (relaxed)", "car an. --niji 6 --relax --ar 5:4", "Pan Right by", SpeedMode.relax),
        ("**car --v 5.2 --ar 16:9** - Upscaled (4x) by <@1273519008452182051> (Open on website for full quality) (fast)", "car --v 5.2 --ar 16:9", "Upscaled (4x) by", SpeedMode.fast),
        ("**car --ar 16:9 --v 6.0 --s 750 --style raw** - Remix (Subtle) by <@1300571410770427945> (relaxed)", "car --ar 16:9 --v 6.0 --s 750 --style raw", "Remix (Subtle) by", SpeedMode.relax),
    ])
    func finalLines(content: String, prompt: String, label: String, mode: SpeedMode) {
        let e = MJMessageParser.classify(Self.message(content, attachments: [Self.grid]))
        guard case .finished(let c) = e else { Issue.record("\(e)"); return }
        #expect(c.prompt == prompt)
        #expect(c.label == label)
        #expect(c.mode == mode)
        #expect(c.percent == nil)
    }

    @Test func upscalePick() {
        let e = MJMessageParser.classify(Self.message("**cat** - Image #2 <@1122599062454157382>", attachments: [Self.grid]))
        guard case .finished(let c) = e else { Issue.record("\(e)"); return }
        #expect(c.imageIndex == 2)
        #expect(c.mode == nil)
        #expect(c.prompt == "cat")
    }

    @Test func blendWithoutPrompt() {
        let e = MJMessageParser.classify(Self.message("**** - <@123456789> (fast)", attachments: [Self.grid]))
        guard case .finished(let c) = e else { Issue.record("\(e)"); return }
        #expect(c.prompt == "")
    }

    @Test(arguments: [
        ("Queue full", "Your job queue is full. Please wait for a job to finish first, then resubmit this one.", 16_711_680, true),
        ("Banned prompt detected", "Sorry! Our AI moderator thinks this prompt is probably against our community standards.", 16_711_680, true),
        ("Invalid parameter", "Unrecognized parameter(s): `--foo`", 16_711_680, true),
        ("Action needed to continue", "Sorry! Our AI moderators feel your prompt might be against our community standards.", 16_711_680, true),
        ("Credits exhausted", "You have no more fast hours left.", 16_711_680, true),
        ("Pending mod message", "You are blocked from accessing Midjourney for 1 hour", 16_776_960, true),
        ("Job queued", "You have reached the maximum allowed number of concurrent jobs. Don't worry, this job will start as soon as another one finishes!", 16_776_960, false),
        ("Your info - alice", "**Subscription**: Pro", 0, false),
    ])
    func embeds(title: String, description: String, color: Int, isError: Bool) {
        let embed = Embed(title: title, description: description, color: color, footer: Embed.Footer(text: "/imagine glass"))
        let e = MJMessageParser.classify(Self.message("", embeds: [embed]))
        if isError {
            #expect(e == .error(title: title, description: description))
        } else {
            #expect(e == .notice(title: title, description: description))
        }
    }

    @Test func describeAndShortenResults() {
        let describe = "1️⃣ a lighthouse on a cliff, [Craigie Aitchison](https://goo.gl/search?artist%20Craigie%20Aitchison) --ar 1:1\n\n2️⃣ b\n\n3️⃣ c\n\n4️⃣ d"
        let image = Embed.Image(url: "https://cdn.discordapp.com/ephemeral-attachments/1092492867185950852/1/a.jpg?ex=1&is=2&hm=3&")
        var m = Self.message("", embeds: [Embed(type: "rich", description: describe, image: image)])
        #expect(MJMessageParser.classify(m) == .describeResult(text: describe, imageURL: image.url))
        let shorten = "## Important tokens\n**appdash** **appdash**, in the ~~style~~ of ~~expert~~ **draftsmanship**\n## Shortened prompts\n1️⃣ appdash\n\n2️⃣ appdash, draftsmanship"
        m = Self.message("", embeds: [Embed(type: "rich", description: shorten, footer: Embed.Footer(text: "Click on a button to imagine one of the shortened prompts"))])
        #expect(MJMessageParser.classify(m) == .shortenResult(text: shorten))
        var deferred = Self.message("")
        deferred.flags = 128
        #expect(MJMessageParser.classify(deferred) == .deferred)
    }

    @Test func plainTextFailures() {
        let trace = "There was an error processing your request. Please try again later. Your trace: `aspirate-giveaway-smuggler`"
        #expect(MJMessageParser.classify(Self.message(trace)) == .failedText(trace))
        #expect(MJMessageParser.classify(Self.message("Failed to process your command")) == .failedText("Failed to process your command"))
        #expect(MJMessageParser.classify(Self.message("hello there")) == .ignored)
    }

    @Test(arguments: [
        ("https://cdn.discordapp.com/ephemeral-attachments/1/2/a7cb1552-f779-4094-9afe-2acf22dae280_grid_0.webp?ex=1&is=2&hm=3&", "a7cb1552-f779-4094-9afe-2acf22dae280"),
        ("https://cdn.midjourney.com/6243686b-7ab1-4174-a9fe-527cca66a829/0_0.png", "6243686b-7ab1-4174-a9fe-527cca66a829"),
        ("https://cdn.discordapp.com/attachments/1/2/Alex_Poloz_glass_A7CB1552-F779-4094-9AFE-2ACF22DAE280.png", "a7cb1552-f779-4094-9afe-2acf22dae280"),
        ("https://cdn.discordapp.com/attachments/1/2/user_cat_abc123.png", "abc123"),
    ])
    func jobHashes(url: String, hash: String) {
        #expect(MJMessageParser.jobHash(fromURL: url) == hash)
    }

    /// The hand-written UUID scanner finds what the regex it replaced finds, on random texts full of near misses.
    @Test func uuidScannerAgreesWithARegex() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF-_/xz.")
        for _ in 0..<3000 {
            var text = String((0..<Int.random(in: 0..<80, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            if Bool.random(using: &random) {
                let uuid = UUID().uuidString
                let cut = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &random))
                text.insert(contentsOf: Bool.random(using: &random) ? uuid : uuid.lowercased(), at: cut)
            }
            let any = text.firstMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/).map { String($0.output) }
            let lower = text.firstMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/).map { String($0.output) }
            #expect(MJMessageParser.firstUUID(in: text) == any, "\(text)")
            #expect(MJMessageParser.firstUUID(in: text, lowercaseOnly: true) == lower, "\(text)")
        }
    }

    @Test func normalizationIgnoresLinks() {
        #expect(
            MJMessageParser.normalize("<https://s.mj.run/X-tG9>  Aerial   photography") == MJMessageParser.normalize("https://example.com/a.png Aerial photography"))
    }

    /// Found by libFuzzer in CI: a separator overlapping the opening "**" made an inverted range (a trap).
    @Test(arguments: ["** - x", "*** - <@1> (fast)", "**", "** - ", "*** - "])
    func separatorOverlappingTheOpeningStarsIsNoJobLine(content: String) {
        #expect(MJMessageParser.parseContent(content) == nil)
    }

    @Test func emptyPromptStillParses() {
        #expect(MJMessageParser.parseContent("**** - <@123> (fast)")?.prompt == "")
    }
}
