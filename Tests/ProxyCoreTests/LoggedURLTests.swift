import Logging
import ProxyCore
import Testing

/// Client-given URLs reach logs as their origin only (paths, queries and user info can be secrets).
@Suite struct LoggedURLTests {
    @Test func onlyTheOriginIsLogged() {
        #expect(LoggedURL.origin("https://user:pw@hooks.example.com:8443/T0/B0/XXXX?sig=abc") == "https://hooks.example.com:8443/…")
        #expect(LoggedURL.origin("http://127.0.0.1:9000") == "http://127.0.0.1:9000")
        #expect(LoggedURL.origin("https://cdn.example.com?token=1") == "https://cdn.example.com/…")
        #expect(LoggedURL.origin("not a url") == "<url>")
    }

    @Test func taskLogMetadataNamesTaskAndAccount() {
        var task = MJTask(id: "1795613139929472", action: .imagine, botType: .midJourney, prompt: "p", submitTime: 0)
        #expect(task.logMetadata() == ["task": "1795613139929472"])
        task.accountId = "acc-1"
        #expect(task.logMetadata(["error": "boom"]) == ["task": "1795613139929472", "account": "acc-1", "error": "boom"])
    }
}
