import DiscordKit
import Foundation

/// A bot message or event that concerns the account itself rather than one task (reference B.6,
/// B.7): what the account must do about it.
public enum AccountAlert: Sendable, Equatable {
    /// Pending mod message, Blocked, Plan Cancelled, Subscription required/paused: the account must stop.
    case blocked(reason: String)
    /// `Credits exhausted`: no fast time left.
    case creditsExhausted
    /// A captcha (image captcha embed, or the `Action required to continue` iframe): a human must verify.
    case captcha(message: String, challengePath: String?)
    /// `Tos not accepted` / "Please accept the Terms of Service": press the accept button and go on.
    case termsOfService(customId: String)

    /// Titles that stop the account (trueai disables on these).
    static let blockingTitles = ["pending mod message", "blocked", "plan cancelled", "subscription required", "subscription paused"]

    /// The alert a bot message carries, if any.
    public static func classify(_ message: Message) -> AccountAlert? {
        let embed = message.embeds.first { $0.type == nil || $0.type == "rich" }
        let title = (embed?.title ?? "").trimmingCharacters(in: .whitespaces)
        let lower = title.lowercased()
        let description = embed?.description ?? ""
        let text = (message.content + " " + description).lowercased()
        if lower.hasPrefix("tos not accepted") || text.contains("accept the terms of service") {
            let accept = message.buttons.first {
                let label = ($0.label ?? "").lowercased()
                let id = ($0.custom_id ?? "").lowercased()
                return label.contains("accept") || id.contains("tos")
            }
            if let id = accept?.custom_id { return .termsOfService(customId: id) }
        }
        if blockingTitles.contains(where: { lower.hasPrefix($0) }) {
            return .blocked(reason: description.isEmpty ? title : "\(title), \(description)")
        }
        if lower.hasPrefix("credits exhausted") { return .creditsExhausted }
        let captchaButtons = message.buttons.contains { ($0.custom_id ?? "").hasPrefix("MJ::Captcha") }
        if lower.hasPrefix("action needed to continue"), captchaButtons || text.contains("verify you're human") || text.contains("verify you are human") {
            return .captcha(message: description.isEmpty ? title : description, challengePath: embed?.image?.url)
        }
        return nil
    }

    /// Whether an iframe modal is Midjourney's captcha (`Action required to continue`, path under
    /// `/captcha/`) rather than the Vary (Region) editor.
    public static func isCaptcha(_ event: ModalEvent) -> Bool {
        let path = (event.iframe_path ?? "").lowercased()
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return trimmed.hasPrefix("captcha/") || path.contains("/captcha/") || (event.title ?? "").lowercased().hasPrefix("action required")
    }
}
