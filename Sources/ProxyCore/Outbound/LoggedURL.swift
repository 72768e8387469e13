import Foundation

/// How a client-given URL appears in logs: scheme, host and port only. Paths and queries of webhook
/// targets and image links often are the secret (Slack/Discord hook tokens, signed query strings),
/// and user info is a password: none of them are logged.
public enum LoggedURL {
    /// `https://hooks.example.com:8443/…` for `https://user:pw@hooks.example.com:8443/T0/B0/XXXX?sig=…`.
    public static func origin(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "<url>" }
        let scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let hasMore = authority.endIndex < rest.endIndex
        return String(scheme.prefix(16)) + "://" + String(authority.prefix(260)) + (hasMore ? "/…" : "")
    }
}
