/// What the simulated bot reads from a prompt's `--` parameters, scanned by hand: a `Regex` here was
/// ~1.5 % of the process's CPU in the end-to-end benchmark (it runs for every job). Held to the patterns
/// it replaces by a differential test (`SandboxPromptScanTests`).
enum PromptParameters {
    /// The names (lowercased) of `--name` parameters: `--` at the start or after white space, a letter,
    /// then letters, digits or `_` (`(?:^|\s)--([A-Za-z][A-Za-z0-9_]*)`).
    static func names(in prompt: String) -> [String] {
        var names: [String] = []
        let scalars = Array(prompt.unicodeScalars)
        var i = 0
        while i + 2 < scalars.count {
            defer { i += 1 }
            guard scalars[i] == "-", scalars[i + 1] == "-", i == 0 || scalars[i - 1].properties.isWhitespace,
                isASCIILetter(scalars[i + 2])
            else { continue }
            var end = i + 3
            while end < scalars.count, isASCIILetter(scalars[end]) || isASCIIDigit(scalars[end]) || scalars[end] == "_" { end += 1 }
            var name = String.UnicodeScalarView()
            name.append(contentsOf: scalars[(i + 2)..<end])
            names.append(String(name).lowercased())
            i = end - 1
        }
        return names
    }

    /// The first `--ar W:H` or `--aspect W:H` (`--(ar|aspect)\s+(\d+):(\d+)`, anywhere), as its two numbers.
    static func aspect(in prompt: String) -> (width: Double, height: Double)? {
        let scalars = Array(prompt.unicodeScalars)
        var i = 0
        while i + 1 < scalars.count {
            defer { i += 1 }
            guard scalars[i] == "-", scalars[i + 1] == "-" else { continue }
            var j = i + 2
            if hasPrefix(scalars, j, "aspect") { j += 6 } else if hasPrefix(scalars, j, "ar") { j += 2 } else { continue }
            let spaces = j
            while j < scalars.count, scalars[j].properties.isWhitespace { j += 1 }
            guard j > spaces, let (w, afterW) = digits(scalars, j), afterW < scalars.count, scalars[afterW] == ":",
                let (h, _) = digits(scalars, afterW + 1)
            else { continue }
            guard let width = Double(w), let height = Double(h) else { return nil }
            return (width, height)
        }
        return nil
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
    private static func isASCIIDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }

    private static func hasPrefix(_ scalars: [Unicode.Scalar], _ at: Int, _ word: String) -> Bool {
        var k = at
        for w in word.unicodeScalars {
            guard k < scalars.count, scalars[k] == w else { return false }
            k += 1
        }
        return true
    }

    /// The run of decimal digits (any script, as `\d`) at `at`, and where it ends; nil when there is none.
    private static func digits(_ scalars: [Unicode.Scalar], _ at: Int) -> (String, Int)? {
        var end = at
        while end < scalars.count, scalars[end].properties.numericType == .decimal { end += 1 }
        guard end > at else { return nil }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[at..<end])
        return (String(text), end)
    }
}
