import DiscordKit

/// Known command ids and versions per bot (reference A.1), used until the live
/// application-command index has been read and whenever it cannot be.
enum CommandTable {
    static let fallback: [BotType: [String: ApplicationCommand]] = {
        func c(_ app: String, _ name: String, _ id: String, _ version: String) -> ApplicationCommand {
            ApplicationCommand(id: id, application_id: app, version: version, name: name, type: 1, description: nil)
        }
        let mj = BotType.midJourney.applicationId
        let niji = BotType.nijiJourney.applicationId
        let insight = BotType.insightFace.applicationId
        return [
            .midJourney: [
                "imagine": c(mj, "imagine", "938956540159881230", "1237876415471554623"),
                "blend": c(mj, "blend", "1062880104792997970", "1237876415471554624"),
                "describe": c(mj, "describe", "1092492867185950852", "1237876415471554625"),
                "shorten": c(mj, "shorten", "1121575372539039774", "1247736572414001223"),
                "info": c(mj, "info", "972289487818334209", "1237876415735660565"),
                "settings": c(mj, "settings", "1000850743479255081", "1493662068581077053"),
                "fast": c(mj, "fast", "972289487818334212", "1237876415735660572"),
                "relax": c(mj, "relax", "972289487818334213", "1237876415735660573"),
                "turbo": c(mj, "turbo", "1124132684143271996", "1237876415790055474"),
                "show": c(mj, "show", "1169435442328911902", "1247736572414001224"),
                "prefer": c(mj, "prefer", "984273800587776053", "1237876415790055476"),
            ],
            .nijiJourney: [
                "imagine": c(niji, "imagine", "1023054140580057099", "1248805223892254774"),
                "blend": c(niji, "blend", "1061216934374424697", "1248805223892254775"),
                "describe": c(niji, "describe", "1092683500743831652", "1248805223892254776"),
                "shorten": c(niji, "shorten", "1121575453916942376", "1248805223892254777"),
                "show": c(niji, "show", "1023054140580057101", "1248805223892254781"),
                "info": c(niji, "info", "1023054140580057102", "1248805223892254782"),
                "settings": c(niji, "settings", "1023054140634579025", "1493662157915684906"),
                "fast": c(niji, "fast", "1023054140580057107", "1248805223925940261"),
                "relax": c(niji, "relax", "1023054140634579024", "1248805223925940262"),
            ],
            .insightFace: [
                "saveid": c(insight, "saveid", "1097018209481261127", "1097018209481261130"),
                "swapid": c(insight, "swapid", "1097030226204184646", "1097030226204184647"),
            ],
        ]
    }()
}
