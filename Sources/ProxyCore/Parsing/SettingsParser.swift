import DiscordKit
import Foundation

/// A bot's `/settings` panel as read from its components (reference A.4.12, B.3.14): an enabled
/// toggle has style 3, the version select's default option is the current version.
public struct BotSettingsView: Sendable, Equatable {
    public var mode: SpeedMode?
    public var remix: Bool?
    /// The selected model version value (e.g. "6.1", "niji 6").
    public var version: String?
    /// Every button's custom_id by its label (for presses by label).
    public var buttons: [String: String] = [:]
    /// The values the version select offers.
    public var versions: [String] = []

    /// Creates an empty view.
    public init() {}
}

/// What a `/fast` `/relax` `/turbo` or `/prefer remix` answer confirmed.
public enum SettingsConfirmation: Sendable, Equatable {
    case mode(SpeedMode)
    case remix(Bool)
}

/// Pure readers of the settings panel and of the bots' `Done!` / `Remix mode turned …` answers.
public enum SettingsParser {
    /// The custom_id of the version select.
    public static let versionSelector = "MJ::Settings::VersionSelector"
    /// The custom_id of the remix toggle.
    public static let remixToggle = "MJ::Settings::RemixMode"

    /// Whether a message is a `/settings` panel (by its interaction name, else by its components).
    public static func isSettingsPanel(_ message: Message) -> Bool {
        if message.interaction_metadata?.name == "settings" || message.interaction?.name == "settings" { return true }
        return allComponents(message.components).contains { ($0.custom_id ?? "").hasPrefix("MJ::Settings::") }
    }

    /// Reads mode, remix and version from the panel's components.
    public static func parse(_ components: [Component]) -> BotSettingsView {
        var view = BotSettingsView()
        for c in allComponents(components) {
            if c.type == 3, c.custom_id == versionSelector {
                let options = c.options ?? []
                view.versions = options.map(\.value)
                view.version = options.first { $0.default == true }?.value
                continue
            }
            guard c.type == 2 else { continue }
            let label = (c.label ?? "").lowercased()
            let on = c.style == 3
            if let id = c.custom_id, let l = c.label { view.buttons[l] = id }
            if c.custom_id == remixToggle || label == "remix mode" {
                view.remix = on
            } else if on, let mode = mode(ofButton: c) {
                view.mode = mode
            }
        }
        return view
    }

    /// The speed mode a settings button switches to, by label ("Fast mode") or custom_id.
    public static func mode(ofButton c: Component) -> SpeedMode? {
        let label = (c.label ?? "").lowercased()
        let id = (c.custom_id ?? "").lowercased()
        if label.hasPrefix("fast mode") || id.hasSuffix("::fastmode") { return .fast }
        if label.hasPrefix("relax mode") || id.hasSuffix("::relaxmode") { return .relax }
        if label.hasPrefix("turbo mode") || id.hasSuffix("::turbomode") { return .turbo }
        return nil
    }

    /// The custom_id of the settings button that selects `mode`.
    public static func modeButton(_ mode: SpeedMode, in components: [Component]) -> String? {
        allComponents(components).first { $0.type == 2 && self.mode(ofButton: $0) == mode }?.custom_id
    }

    /// What an ephemeral answer confirmed: `Done!` to `/fast` `/relax` `/turbo` (named by the
    /// interaction, else read from the text), or `Remix mode turned on/off`.
    public static func confirmation(_ message: Message) -> SettingsConfirmation? {
        let text = message.content.isEmpty ? (message.embeds.first?.description ?? message.embeds.first?.title ?? "") : message.content
        let lower = text.lowercased()
        if lower.hasPrefix("remix mode turned on") { return .remix(true) }
        if lower.hasPrefix("remix mode turned off") { return .remix(false) }
        guard lower.hasPrefix("done!") else { return nil }
        switch message.interaction_metadata?.name ?? message.interaction?.name {
        case "fast": return .mode(.fast)
        case "relax": return .mode(.relax)
        case "turbo": return .mode(.turbo)
        default: break
        }
        if lower.contains("do not consume fast-hours") || lower.contains("relax mode") { return .mode(.relax) }
        if lower.contains("turbo") { return .mode(.turbo) }
        if lower.contains("fast mode") { return .mode(.fast) }
        return nil
    }

    /// Rows flattened into their children.
    static func allComponents(_ components: [Component]) -> [Component] {
        components.flatMap { $0.type == 1 ? ($0.components ?? []) : [$0] }
    }
}
