import Foundation

/// One sample of a Prometheus text exposition: `name{label="value",…} value`.
struct PromSample: Sendable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// A parsed `GET /metrics` answer (the test's scraper): samples by name and labels.
struct PrometheusText: Sendable {
    let samples: [PromSample]

    /// Parses the text format 0.0.4 (comments skipped, label values unescaped); a malformed line fails.
    init(_ text: String) throws {
        var samples: [PromSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            samples.append(try Self.sample(Substring(line)))
        }
        self.samples = samples
    }

    /// The value of the series `name` with exactly `labels`, or nil.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over the series of `name` whose labels include `subset`.
    func sum(_ name: String, where subset: [String: String] = [:]) -> Double {
        samples.filter { s in s.name == name && subset.allSatisfy { s.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    /// Every label value of every series (to check that no id or secret became a label).
    var allLabelValues: [String] { samples.flatMap { $0.labels.values } }

    private static func sample(_ line: Substring) throws -> PromSample {
        var i = line.startIndex
        var name = ""
        while i < line.endIndex, line[i] != "{", line[i] != " " {
            name.append(line[i])
            i = line.index(after: i)
        }
        var labels: [String: String] = [:]
        if i < line.endIndex, line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex, line[i] != "}" {
                var key = ""
                while i < line.endIndex, line[i] != "=" {
                    key.append(line[i])
                    i = line.index(after: i)
                }
                i = line.index(i, offsetBy: 2)  // `="`
                var value = ""
                while i < line.endIndex, line[i] != "\"" {
                    if line[i] == "\\" {
                        i = line.index(after: i)
                        value.append(line[i] == "n" ? "\n" : line[i])
                    } else {
                        value.append(line[i])
                    }
                    i = line.index(after: i)
                }
                labels[key] = value
                i = line.index(after: i)  // closing quote
                if i < line.endIndex, line[i] == "," { i = line.index(after: i) }
            }
            i = line.index(after: i)  // `}`
        }
        let rest = line[i...].trimmingCharacters(in: .whitespaces)
        guard let value = Double(rest.split(separator: " ").first.map(String.init) ?? "") else {
            throw TestFailure("unparsable metrics line: \(line)")
        }
        return PromSample(name: name, labels: labels, value: value)
    }
}
