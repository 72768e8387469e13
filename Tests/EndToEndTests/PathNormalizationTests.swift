import Testing

@testable import HTTPAPI

/// The API's path normalisation: segments split on `/` (empty ones dropped) up to the query, an
/// `mj-fast` / `mj-relax` / `mj-turbo` prefix taken as the speed mode.
@Suite struct PathNormalizationTests {
    /// The plain reading: split, drop empties, then the prefix.
    static func reference(_ raw: String) -> [String] {
        let path = raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return path.split(separator: "/").map(String.init)
    }

    @Test(arguments: [
        "/mj/task/1732512345678042/fetch", "/", "", "//", "/mj//task/", "/mj-relax//mj/task/1/fetch/", "/mj?x=/a/b", "?", "/a?",
        "/MJ-FAST/mj/submit/imagine", "/mj-turbo", "/mj-slow/mj", "/猫/é?q=1", "no-leading/slash", "/a/b/c/d/e/f/g/h/i",
    ])
    func splitsAsThePlainReading(path: String) {
        let (segments, mode) = APIResponder.normalize(path)
        var expected = Self.reference(path)
        if let first = expected.first, first.hasPrefix("mj-"), ["fast", "relax", "turbo"].contains(String(first.dropFirst(3)).lowercased()) {
            expected.removeFirst()
            #expect(mode != nil)
        } else {
            #expect(mode == nil)
        }
        #expect(segments == expected)
    }
}
