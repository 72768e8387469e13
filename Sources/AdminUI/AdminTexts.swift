import Foundation

/// The admin UI's languages.
public enum AdminLanguage: String, Sendable, CaseIterable {
    case en
    case zh

    /// The language of an `Accept-Language` header: the first listed one we have (q-values in listed order).
    static func accepted(_ header: String?) -> AdminLanguage? {
        guard let header else { return nil }
        for part in header.split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if tag.hasPrefix("zh") { return .zh }
            if tag.hasPrefix("en") { return .en }
        }
        return nil
    }
}

/// The texts of one language (all of a language in one table: `AdminTexts+English`, `AdminTexts+Chinese`).
struct AdminTexts: Sendable {
    let language: AdminLanguage
    let table: [String: String]

    init(_ language: AdminLanguage) {
        self.language = language
        table = language == .zh ? Self.chinese : Self.english
    }

    /// The text for `key`; English when this language lacks it, the key itself when both do.
    subscript(key: String) -> String { table[key] ?? Self.english[key] ?? key }

    /// Every text, for templates (`{{t.key}}`).
    var all: [String: String] { Self.english.merging(table) { _, mine in mine } }
}
