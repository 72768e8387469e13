import DiscordKit
import Foundation

/// The application commands the sandbox knows: Midjourney's from the real captured index
/// (Resources/mj-application-command-index-2024-08.json), niji・journey's and InsightFaceSwap's
/// from the reference tables.
struct CommandCatalog: Sendable {
    /// The index body served for guild/channel/user/application index requests.
    let indexBody: JSONValue
    private let commands: [String: [String: ApplicationCommand]]  // app id → name → command

    init() {
        var apps: [JSONValue] = []
        var cmds: [JSONValue] = []
        var version: JSONValue = "1267632560465248388"
        if let url = Bundle.module.url(forResource: "mj-application-command-index-2024-08", withExtension: "json"),
            let data = try? Data(contentsOf: url), let fixture = try? JSONValue.parse(data)
        {
            apps = fixture["applications"]?.arrayValue ?? []
            cmds = fixture["application_commands"]?.arrayValue ?? []
            version = fixture["version"] ?? version
        }
        // niji・journey (ids/versions as trueai sends them in 2026) and InsightFaceSwap.
        let niji: [(String, String, String, String)] = [
            ("imagine", "1023054140580057099", "1248805223892254774", "Create images with niji・journey"),
            ("blend", "1061216934374424697", "1248805223892254775", "Blend images together seamlessly!"),
            ("describe", "1092683500743831652", "1248805223892254776", "Writes a prompt based on your image."),
            ("shorten", "1121575453916942376", "1248805223892254777", "Analyzes and shortens a prompt."),
            ("show", "1023054140580057101", "1248805223892254781", "Shows the job view based on job id."),
            ("info", "1023054140580057102", "1248805223892254782", "View information about your profile."),
            ("settings", "1023054140634579025", "1493662157915684906", "View and adjust your personal settings."),
            ("fast", "1023054140580057107", "1248805223925940261", "Switch to fast mode"),
            ("relax", "1023054140634579024", "1248805223925940262", "Switch to relax mode"),
        ]
        let insight: [(String, String, String, String)] = [
            ("saveid", "1097018209481261127", "1097018209481261130", "Save an identity image with a name"),
            ("swapid", "1097030226204184646", "1097030226204184647", "Swap a saved identity onto an image"),
        ]
        func command(_ app: String, _ c: (String, String, String, String), rank: Int) -> JSONValue {
            var options: [JSONValue] = []
            switch c.0 {
            case "imagine", "shorten": options = [["type": 3, "name": "prompt", "description": "The prompt", "required": true]]
            case "describe": options = [["type": 11, "name": "image", "description": "The image"], ["type": 3, "name": "link", "description": "The link"]]
            case "show": options = [["type": 3, "name": "job_id", "description": "The job id", "required": true]]
            case "saveid": options = [["type": 3, "name": "idname", "description": "Name", "required": true], ["type": 11, "name": "image", "description": "Image", "required": true]]
            case "swapid": options = [["type": 3, "name": "idname", "description": "Name", "required": true], ["type": 11, "name": "image", "description": "Image", "required": true]]
            default: break
            }
            return [
                "id": .string(c.1), "type": 1, "application_id": .string(app), "version": .string(c.2), "name": .string(c.0),
                "description": .string(c.3), "options": .array(options), "dm_permission": true, "contexts": [0, 1, 2],
                "integration_types": [0, 1], "global_popularity_rank": .int(Int64(rank)),
            ]
        }
        cmds += niji.enumerated().map { command(SandboxIDs.niji, $1, rank: $0 + 1) }
        cmds += insight.enumerated().map { command(SandboxIDs.insightFace, $1, rank: $0 + 1) }
        apps.append([
            "id": .string(SandboxIDs.niji), "name": "niji・journey Bot", "description": "", "icon": nil,
            "bot": ["id": .string(SandboxIDs.niji), "username": "niji・journey Bot", "discriminator": "5053", "avatar": nil, "bot": true, "public_flags": 589824],
            "bot_id": .string(SandboxIDs.niji), "flags": "94371840",
        ])
        apps.append([
            "id": .string(SandboxIDs.insightFace), "name": "InsightFaceSwap", "description": "", "icon": nil,
            "bot": ["id": .string(SandboxIDs.insightFace), "username": "InsightFaceSwap", "discriminator": "6009", "avatar": nil, "bot": true, "public_flags": 0],
            "bot_id": .string(SandboxIDs.insightFace), "flags": "0",
        ])
        indexBody = ["applications": .array(apps), "application_commands": .array(cmds), "version": version]
        var table: [String: [String: ApplicationCommand]] = [:]
        for c in cmds {
            if let parsed = try? DiscordJSON.decode(ApplicationCommand.self, from: c), let app = parsed.application_id {
                table[app, default: [:]][parsed.name] = parsed
            }
        }
        commands = table
    }

    /// The index as a user with command `epoch` sees it (every version shifted by the epoch).
    func indexBody(epoch: Int64) -> JSONValue {
        guard epoch != 0, case .object(let top) = indexBody else { return indexBody }
        return .object(
            top.map { key, value in
                guard key == "application_commands", let list = value.arrayValue else { return (key, value) }
                return (
                    key,
                    .array(
                        list.map { cmd in
                            guard case .object(let pairs) = cmd else { return cmd }
                            return .object(pairs.map { k, v in k == "version" ? (k, .string(Self.version(v.stringValue ?? "", epoch: epoch))) : (k, v) })
                        })
                )
            })
    }

    /// A command version as seen at `epoch` (numeric versions shifted by the epoch).
    static func version(_ version: String, epoch: Int64) -> String {
        guard epoch != 0, let n = Int64(version) else { return version }
        return String(n &+ epoch)
    }

    /// The command `id` of application `appId`, if known.
    func command(appId: String, id: String) -> ApplicationCommand? {
        commands[appId]?.values.first { $0.id == id }
    }

    /// The search-endpoint body for `query` (older `application-commands/search`).
    func search(query: String?, limit: Int) -> JSONValue {
        var cmds = indexBody["application_commands"]?.arrayValue ?? []
        if let q = query?.lowercased(), !q.isEmpty { cmds = cmds.filter { ($0["name"]?.stringValue ?? "").hasPrefix(q) } }
        return [
            "applications": indexBody["applications"] ?? [], "application_commands": .array(Array(cmds.prefix(limit))),
            "cursor": ["previous": nil, "next": nil, "repaired": nil],
        ]
    }
}
