import Foundation
import Hummingbird
import Logging

extension AdminUI {
    /// Lets a form that sends work to Discord (imagine, a task's button, a new account) through once:
    /// each rendering of such a form carries a fresh one-time token (`once`), claimed here in the
    /// operator's session. Nil: the first submission, go on and `settle` it. Otherwise the answer for a
    /// repeat (the new task's page when the first one created a task) or for a form without a token (400).
    func claimOnce(_ page: inout AdminRequest, scope: String, otherwise: String) async -> (key: String, refused: Response?) {
        guard let token = page.form["once"], !token.isEmpty, token.count <= 128, let id = page.sessionId else {
            return ("", render(&page, "message", title: page.texts["failed"], ["heading": page.texts["failed"], "text": page.texts["csrfFailed"]], status: .badRequest))
        }
        let key = scope + "|" + token
        switch await sessions.claim(id, key: key) {
        case .first:
            return (key, nil)
        case .repeated(let task):
            logger.notice("admin form sent again: not repeated", metadata: ["route": "\(scope)"])
            await sessions.setFlash(id, .init(ok: false, text: page.texts["alreadySent"]))
            return (key, AdminHTTP.redirect(task.map { "/admin/tasks/\(AdminHTTP.escape($0))" } ?? otherwise))
        case .noSession:
            return (key, AdminHTTP.redirect("/admin/login"))
        }
    }

    /// Records what a claimed submission created (see `claimOnce`).
    func settleOnce(_ page: AdminRequest, key: String, taskId: String?) async {
        if let id = page.sessionId { await sessions.settle(id, key: key, taskId: taskId) }
    }
}
