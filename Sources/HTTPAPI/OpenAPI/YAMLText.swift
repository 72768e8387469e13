import DiscordKit

/// Renders a JSON value as block-style YAML 1.2 (for `/openapi.yaml`): mappings and sequences
/// indented by two spaces, key order kept, every string value double-quoted with JSON escapes
/// (a subset of YAML's), keys plain only when they cannot be read as anything but that string.
enum YAMLText {
    static func render(_ value: JSONValue) -> String {
        var out = ""
        if isBlock(value) {
            write(value, indent: 0, to: &out)
        } else {
            out = scalar(value) + "\n"
        }
        return out
    }

    /// Whether `value` is written as a block (a non-empty mapping or sequence).
    static func isBlock(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let pairs): return !pairs.isEmpty
        case .array(let items): return !items.isEmpty
        default: return false
        }
    }

    /// A value on one line: scalars, `{}` and `[]`.
    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .object: return "{}"
        case .array: return "[]"
        default: return value.compactString
        }
    }

    /// Writes a block value whose lines start at `indent`.
    static func write(_ value: JSONValue, indent: Int, to out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let pairs):
            for (key, v) in pairs {
                out += pad + self.key(key) + ":"
                if isBlock(v) {
                    out += "\n"
                    // Sequences under a key may sit at the key's own indentation; nesting them reads better.
                    write(v, indent: indent + 2, to: &out)
                } else {
                    out += " " + scalar(v) + "\n"
                }
            }
        case .array(let items):
            for item in items {
                if isBlock(item) {
                    // The item's first line takes the dash in place of its indentation.
                    var nested = ""
                    write(item, indent: indent + 2, to: &nested)
                    out += pad + "- " + nested.dropFirst(indent + 2)
                } else {
                    out += pad + "- " + scalar(item) + "\n"
                }
            }
        default:
            out += pad + scalar(value) + "\n"
        }
    }

    /// Words a YAML reader could take for a boolean or null.
    static let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]

    /// A mapping key: plain when it is a simple word, else double-quoted.
    static func key(_ k: String) -> String {
        let simple =
            !k.isEmpty && !reserved.contains(k.lowercased())
            && k.unicodeScalars.first.map { ($0.properties.isAlphabetic && $0.isASCII) || $0 == "_" || $0 == "$" } == true
            && k.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "$") }
        return simple ? k : JSONValue.string(k).compactString
    }
}
