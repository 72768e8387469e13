import Foundation

/// The parts of a `/mj/image/{taskId}/{name}?exp=…&sig=…` link (contract §5.8), whatever its host:
/// only a signature the mirror accepts makes it one of this proxy's images.
struct OwnImageLink: Equatable {
    let taskId: String
    let name: String
    let expires: String?
    let signature: String?

    /// A link from its parts.
    init(taskId: String, name: String, expires: String?, signature: String?) {
        self.taskId = taskId
        self.name = name
        self.expires = expires
        self.signature = signature
    }

    /// Nil unless `url` is http(s) with a path of exactly `/mj/image/<taskId>/<name>`.
    init?(_ url: String) {
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? "") else { return nil }
        let parts = components.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "mj", parts[2] == "image", !parts[3].isEmpty, !parts[4].isEmpty else { return nil }
        taskId = String(parts[3])
        name = String(parts[4])
        let items = components.queryItems ?? []
        expires = items.first { $0.name == "exp" }?.value
        signature = items.first { $0.name == "sig" }?.value
    }
}
