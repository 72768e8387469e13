/// What the admin UI needs from the process: the secrets that guard it, the configuration view,
/// and the banned-word sources. Closures read the configuration as it is now (reloads included).
public struct AdminSettings: Sendable {
    /// The admin secret (`admin.secret`); the login form asks for it.
    public var adminSecret: String?
    /// The language when neither `?lang=`, the cookie nor `Accept-Language` chooses one.
    public var defaultLanguage: AdminLanguage
    /// Mark cookies `Secure` always (they are anyway on requests a front proxy marks `X-Forwarded-Proto: https`).
    public var secureCookies: Bool
    /// The configuration as rows; secret ones are never shown.
    public var configuration: @Sendable () -> [AdminConfigRow]
    /// The banned-word sources now: the words of the configuration and the word-list file.
    public var bannedWords: @Sendable () -> (words: [String], file: String?)

    /// Creates settings.
    public init(
        adminSecret: String?, defaultLanguage: AdminLanguage = .en, secureCookies: Bool = false,
        configuration: @escaping @Sendable () -> [AdminConfigRow] = { [] },
        bannedWords: @escaping @Sendable () -> (words: [String], file: String?) = { ([], nil) }
    ) {
        self.adminSecret = adminSecret.flatMap { $0.isEmpty ? nil : $0 }
        self.defaultLanguage = defaultLanguage
        self.secureCookies = secureCookies
        self.configuration = configuration
        self.bannedWords = bannedWords
    }

    /// Who may use the UI: the admin secret's holders. With no admin secret nobody (a page says to set
    /// `admin.secret`): account changes need it over the API too, and an unguarded operator page is a hazard.
    var loginSecret: String? { adminSecret }
}

/// One configuration key and its value for the configuration page.
public struct AdminConfigRow: Sendable {
    public var key: String
    public var value: String?
    /// A secret: shown as "set" / "not set", never its value.
    public var secret: Bool

    /// Creates a row.
    public init(key: String, value: String?, secret: Bool = false) {
        self.key = key
        self.value = value
        self.secret = secret
    }

    /// What the page shows: secrets masked.
    func shown(_ texts: AdminTexts) -> String {
        if secret { return (value?.isEmpty ?? true) ? texts["notSet"] : texts["secretSet"] }
        return value ?? "—"
    }
}
