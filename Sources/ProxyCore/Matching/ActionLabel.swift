import Foundation

/// Which action words of a job line (`**p** - <label> <@u> …`, or a start form) fit which task
/// action (reference B.2–B.3): an upscale result "Image #1" fits only the U1 pick, a variation line
/// never fits an upscale, "Pan Left by" only the left pan, and so on.
enum ActionLabel {
    /// Whether the line `c` can belong to a task with `action` / `customId`.
    static func fits(_ c: MJContent, action: TaskAction, customId: String?) -> Bool {
        let label = c.label.lowercased()
        let parts = (customId ?? "").components(separatedBy: "::")
        let kind = parts.count > 2 ? parts[2] : ""
        let index = parts.count > 3 ? Int(parts[3]) : nil
        // A plain waiting line carries no action words; it may start any job.
        if c.waiting && c.startForm == nil && label.isEmpty { return action.isJob }
        switch action {
        case .upscale:
            if kind == "upsample" {
                if label.hasPrefix("image #") || c.startForm == .upscaling { return c.imageIndex != nil && c.imageIndex == index }
                return label == "upscaled by" || label == "upscaling by"
            }
            if c.startForm == .upscaling || label == "upscaling by" || label == "upscaled by" { return true }
            guard let style = label.firstMatch(of: /^upscaled \(([^)]*)\) by$/)?.output.1.lowercased() else { return false }
            return kind.hasSuffix("_" + style)
        case .variation, .lowVariation, .highVariation:
            if c.startForm == .variations {
                return action != .variation || index == nil || c.imageIndex == nil || c.imageIndex == index
            }
            guard label.hasPrefix("variations") || label.hasPrefix("remix"), !label.contains("(region)") else { return false }
            if action == .lowVariation { return !label.contains("(strong)") }
            if action == .highVariation { return !label.contains("(subtle)") }
            return true
        case .inpaint:
            return label.hasPrefix("variations (region)") || label.hasPrefix("remix")
        case .pan:
            let direction = kind.hasPrefix("pan_") ? String(kind.dropFirst(4)) : ""
            return label.hasPrefix("pan \(direction)") || label.hasPrefix("remix")
        case .zoom, .customZoom:
            return label.hasPrefix("zoom") || label.hasPrefix("remix")
        case .imagine, .blend:
            return label.isEmpty && c.startForm == nil
        case .reroll:
            return label.isEmpty && (c.startForm == nil || c.startForm == .rerolling)
        case .describe, .shorten, .swapFace:
            return false
        }
    }
}

extension TaskAction {
    /// Actions that run a Midjourney job with `**prompt** - …` lines.
    var isJob: Bool {
        switch self {
        case .describe, .shorten, .swapFace: return false
        default: return true
        }
    }
}
