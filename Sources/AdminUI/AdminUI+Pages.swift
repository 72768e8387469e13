import DiscordKit
import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import Logging
import ProxyCore

extension AdminUI {
    /// The overview: accounts by state, running and queued jobs, tasks per minute over the last
    /// 10 minutes, and the latest failures.
    func overview(_ page: inout AdminRequest) async -> Response {
        let accounts = await AdminHTTP.json(await api.perform(.get, "/mj/account/list"))?.arrayValue ?? []
        var byState: [String: Int] = [:]
        var running: Int64 = 0
        var queued: Int64 = 0
        for a in accounts {
            byState[a["state"]?.stringValue ?? "?", default: 0] += 1
            running += a["runningCount"]?.intValue ?? 0
            queued += a["queueCount"]?.intValue ?? 0
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let recent = (try? await service.registry.list(limit: 1000, before: nil)) ?? []
        let lastTen = recent.filter { $0.submitTime >= now - 600_000 }.count
        let failures = recent.filter { $0.status == .failure }.prefix(10).map(Self.row)
        let values: [String: Any] = [
            "states": byState.sorted { $0.key < $1.key }.map { ["name": $0.key, "count": $0.value] as [String: Any] },
            "running": running, "queued": queued,
            "perMinute": String(format: "%.1f", Double(lastTen) / 10),
            "failures": Array(failures), "hasFailures": !failures.isEmpty,
        ]
        return render(&page, "overview", title: page.texts["overview"], values)
    }

    /// The banned words: those of the configuration (read-only here) and the word-list file's text.
    func bannedWords(_ page: inout AdminRequest) async -> Response {
        let (words, file) = settings.bannedWords()
        var values: [String: Any] = ["configured": words]
        if let file {
            values["file"] = file
            values["words"] = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        }
        return render(&page, "banned", title: page.texts["bannedWords"], values)
    }

    /// Saves the word-list file (written whole, then renamed into place); the running list re-reads it within a second.
    func saveBannedWords(_ page: inout AdminRequest) async -> Response {
        guard let file = settings.bannedWords().file else { return AdminHTTP.redirect("/admin/banned") }
        var text = (page.form["words"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        let ok: Bool
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            ok = true
            logger.info("admin saved the banned-word file", metadata: ["file": "\(file)"])
        } catch {
            ok = false
            logger.error("admin could not write the banned-word file", metadata: ["file": "\(file)", "error": "\(error)"])
        }
        if let id = page.sessionId { await sessions.setFlash(id, .init(ok: ok, text: page.texts[ok ? "saved" : "saveFailed"])) }
        return AdminHTTP.redirect("/admin/banned")
    }

    /// The configuration, secrets masked.
    func configuration(_ page: inout AdminRequest) -> Response {
        let texts = page.texts
        let rows = settings.configuration().map { ["key": $0.key, "value": $0.shown(texts)] }
        return render(&page, "config", title: page.texts["configuration"], ["rows": rows])
    }
}
