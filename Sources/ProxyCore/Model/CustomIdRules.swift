import Foundation

/// When an action opens a modal first.
public enum ModalRule: Sendable, Equatable {
    case never
    /// Only while the account's remix mode is on.
    case remix
    case always
}

/// The customId → action table of contract §8.4.
public enum CustomIdRules {
    /// The action and modal rule of a supported customId; nil for unsupported ones (V26).
    public static func action(for customId: String) -> (action: TaskAction, modal: ModalRule)? {
        let p = customId.components(separatedBy: "::")
        guard p.count >= 3, p[0] == "MJ" else { return nil }
        switch (p[1], p[2]) {
        case ("JOB", "upsample") where p.count == 5 && (1...4).contains(Int(p[3]) ?? 0): return (.upscale, .never)
        case ("JOB", let kind) where kind.hasPrefix("upsample_") && p.count >= 5: return (.upscale, .never)
        case ("JOB", "variation") where p.count == 5 && (1...4).contains(Int(p[3]) ?? 0): return (.variation, .remix)
        case ("JOB", "low_variation") where p.count >= 5: return (.lowVariation, .remix)
        case ("JOB", "high_variation") where p.count >= 5: return (.highVariation, .remix)
        case ("JOB", "reroll") where p.count >= 5: return (.reroll, .remix)
        case ("JOB", let kind) where ["pan_left", "pan_right", "pan_up", "pan_down"].contains(kind) && p.count >= 5: return (.pan, .remix)
        case ("Outpaint", let factor) where ["50", "75", "100"].contains(factor) && p.count >= 5: return (.zoom, .remix)
        case ("CustomZoom", _): return (.customZoom, .always)
        case ("Inpaint", _) where p.count >= 4: return (.inpaint, .always)
        case ("Job", "PicReader") where p.count == 4 && (1...4).contains(Int(p[3]) ?? 0): return (.imagine, .always)
        case ("Job", "PromptAnalyzer") where p.count == 4 && (1...5).contains(Int(p[3]) ?? 0): return (.imagine, .always)
        case ("Picread", "Retry"): return (.describe, .never)
        default: return nil
        }
    }

    /// `U1`…`U4`, `V1`…`V4`, `R`, or the customId itself (task `description`).
    public static func shortName(_ customId: String) -> String {
        let p = customId.components(separatedBy: "::")
        if p.count == 5, p[1] == "JOB", p[2] == "upsample" { return "U\(p[3])" }
        if p.count == 5, p[1] == "JOB", p[2] == "variation" { return "V\(p[3])" }
        if p.count >= 3, p[1] == "JOB", p[2] == "reroll" { return "R" }
        return customId
    }
}
