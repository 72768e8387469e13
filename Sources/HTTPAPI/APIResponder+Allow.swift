import HTTPTypes
import Hummingbird

extension APIResponder {
    /// The 405 answer (U3) with the `Allow` header RFC 9110 requires: the methods the path has.
    func methodNotAllowed(_ segments: [String]) -> Response {
        var allowed: [String] = []
        for route in routes where route.segments.count == segments.count && route.literalsMatch(segments) {
            if !allowed.contains(route.method.rawValue) { allowed.append(route.method.rawValue) }
        }
        var answer = error(.methodNotAllowed, code: 405, key: "U3")
        answer.headers[.allow] = allowed.joined(separator: ", ")
        return answer
    }
}
