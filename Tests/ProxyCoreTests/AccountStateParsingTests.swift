import DiscordKit
import Foundation
import Testing

@testable import ProxyCore

/// `/info`, `/settings`, confirmations and account alerts read from the bots' messages.
@Suite struct AccountStateParsingTests {
    static let realInfo = """
        **Subscription**:               Pro (Active yearly, renews next on <t:1715321361>)
        **Job Mode**:                   Fast
        **Visibility Mode**:            Stealth
        **Fast Time Remaining**:        29.57/30.0 hours (98.58%)
        **Lifetime Usage**:             102 images (1.77 hours)
        **Relaxed Usage**:              19 images (0.29 hours)

        **Queued Jobs (fast)**:         0
        **Queued Jobs (relax)**:        2
        **Running Jobs**:               None
        """

    func bot(content: String = "", embeds: [Embed] = [], components: [Component] = [], name: String? = nil, nonce: String? = nil) -> Message {
        var m = Message(
            id: "1", channel_id: "2", guild_id: nil, author: DiscordUser(id: BotType.midJourney.applicationId, username: "Midjourney Bot", discriminator: "9282"),
            content: content, timestamp: "", type: 0, flags: 64, nonce: nonce, embeds: embeds, components: components)
        if let name {
            m.interaction_metadata = InteractionMetadata(
                id: "9", type: 2, name: name, command_type: 1, user: nil, authorizing_integration_owners: nil, original_response_message_id: nil,
                interacted_message_id: nil)
        }
        return m
    }

    @Test func realInfoEmbed() throws {
        let m = bot(embeds: [Embed(type: "rich", title: "Your info - alice", description: Self.realInfo, color: 0)])
        let info = try #require(InfoParser.parse(m))
        #expect(info.plan == "Pro")
        #expect(info.subscription == "Pro (Active yearly, renews next on <t:1715321361>)")
        #expect(info.jobMode == .fast)
        #expect(info.visibility == "Stealth")
        #expect(info.fastTimeRemaining == "29.57/30.0 hours (98.58%)")
        #expect(info.fastHoursRemaining == 29.57)
        #expect(info.lifetimeUsage == "102 images (1.77 hours)")
        #expect(info.queuedFast == 0)
        #expect(info.queuedRelax == 2)
        #expect(info.runningJobs == 0)
        #expect(info.values["Relaxed Usage"] == "19 images (0.29 hours)")
    }

    @Test func trialAndRelaxedInfo() {
        let info = InfoParser.parse(
            description: "**Subscription**:   None (Trial)\n**Job Mode**:   Relaxed\n**Fast Time Remaining**:   25.00 minutes\n**Running Jobs**:   a, b")
        #expect(info.plan == "None")
        #expect(info.jobMode == .relax)
        #expect(info.fastHoursRemaining.map { abs($0 - 25.0 / 60) < 1e-9 } == true)
        #expect(info.runningJobs == 2)
        #expect(InfoParser.hours(in: "0.00/15.0 hours (0.00%)") == 0)
        #expect(InfoParser.hours(in: "unlimited") == nil)
    }

    @Test func notAnInfoMessage() {
        #expect(InfoParser.parse(bot(embeds: [Embed(type: "rich", title: "Queue full", description: "x", color: 0)])) == nil)
    }

    @Test func settingsPanel() {
        var select = Component(type: 3, custom_id: "MJ::Settings::VersionSelector")
        select.options = ["7", "6.1", "niji 6"].map { SelectOption(label: $0, value: $0, description: nil, emoji: nil, default: $0 == "7") }
        let components: [Component] = [
            .row([select]),
            .row([.button(customId: "MJ::Settings::RemixMode", label: "Remix mode", style: 3)]),
            .row([
                .button(customId: "MJ::Settings::FastMode", label: "Fast mode", style: 2),
                .button(customId: "x1", label: "Relax mode", style: 3),
                .button(customId: "x2", label: "Turbo mode", style: 2),
            ]),
        ]
        let view = SettingsParser.parse(components)
        #expect(view.version == "7")
        #expect(view.versions == ["7", "6.1", "niji 6"])
        #expect(view.remix == true)
        #expect(view.mode == .relax)
        #expect(SettingsParser.modeButton(.turbo, in: components) == "x2")
        #expect(SettingsParser.isSettingsPanel(bot(components: components)))
        #expect(!SettingsParser.isSettingsPanel(bot(content: "hello")))
    }

    @Test func confirmations() {
        let relax = bot(
            content: "Done! Your jobs now do not consume fast-hours, but might take a little longer. You can always switch back with /fast")
        #expect(SettingsParser.confirmation(relax) == .mode(.relax))
        #expect(SettingsParser.confirmation(bot(content: "Done! Something", name: "turbo")) == .mode(.turbo))
        #expect(SettingsParser.confirmation(bot(content: "Done! Fast mode enabled.")) == .mode(.fast))
        #expect(SettingsParser.confirmation(bot(content: "Remix mode turned on! You can disable it…")) == .remix(true))
        #expect(SettingsParser.confirmation(bot(content: "Remix mode turned off!")) == .remix(false))
        #expect(SettingsParser.confirmation(bot(content: "**cat** - <@1> (fast)")) == nil)
    }

    @Test func alerts() {
        func embed(_ title: String, _ description: String = "d", buttons: [Component] = []) -> Message {
            bot(embeds: [Embed(type: "rich", title: title, description: description, color: 16_711_680)], components: buttons.isEmpty ? [] : [.row(buttons)])
        }
        #expect(AccountAlert.classify(embed("Pending mod message", "blocked for 1 hour")) == .blocked(reason: "Pending mod message, blocked for 1 hour"))
        #expect(AccountAlert.classify(embed("Blocked")) == .blocked(reason: "Blocked, d"))
        #expect(AccountAlert.classify(embed("Subscription paused")) != nil)
        #expect(AccountAlert.classify(embed("Credits exhausted")) == .creditsExhausted)
        #expect(
            AccountAlert.classify(embed("Tos not accepted", buttons: [.button(customId: "MJ::Tos::Accept::1", label: "Accept ToS")]))
                == .termsOfService(customId: "MJ::Tos::Accept::1"))
        if case .captcha? = AccountAlert.classify(embed("Action needed to continue", "Please verify you're human")) {} else {
            Issue.record("image captcha not recognised")
        }
        // The appeal form of the same title is a task failure, not a captcha.
        #expect(AccountAlert.classify(embed("Action needed to continue", "Sorry! Our AI moderators feel…", buttons: [.button(customId: "MJ::Appeal::1", label: "Appeal")])) == nil)
        #expect(AccountAlert.classify(embed("Queue full")) == nil)
    }

    @Test func captchaIframeIsNotTheRegionEditor() {
        func iframe(_ path: String, title: String) -> ModalEvent {
            ModalEvent(
                id: "1", nonce: nil, channel_id: "2", custom_id: "MJ::iframe::abc", title: title, application: .init(id: "3", name: nil, icon: nil),
                components: nil, iframe_path: path, modal_size: 2)
        }
        #expect(AccountAlert.isCaptcha(iframe("captcha/challenge/index.html?hash=1", title: "Action required to continue")))
        #expect(AccountAlert.isCaptcha(iframe("/captcha/x", title: "")))
        #expect(!AccountAlert.isCaptcha(iframe("inpaint/index.html?custom_id=abc", title: "Vary Region")))
    }
}
