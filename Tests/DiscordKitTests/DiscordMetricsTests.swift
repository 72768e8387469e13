import DiscordKit
import Testing

/// Discord REST route labels are templates: ids, emojis and unknown segments never reach a label.
@Suite struct DiscordMetricsTests {
    @Test(arguments: [
        ("POST", "/interactions", "POST /interactions"),
        ("GET", "/users/@me", "GET /users/@me"),
        ("GET", "/guilds/1172000000000000001/application-command-index", "GET /guilds/{id}/application-command-index"),
        ("POST", "/channels/1172000000000000004/attachments", "POST /channels/{id}/attachments"),
        ("GET", "/channels/1172000000000000004/messages?after=1&limit=100", "GET /channels/{id}/messages"),
        (
            "PUT", "/channels/11720000000000004/messages/1234567890123456789/reactions/%E2%9C%89%EF%B8%8F/@me?location=Message&type=0",
            "PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me"
        ),
        ("GET", "/channels/Some.Weird:Value/messages", "GET /channels/{param}/messages"),
        ("GET", "", "GET /"),
    ])
    func routeTemplates(method: String, path: String, expected: String) {
        #expect(DiscordMetrics.routeTemplate(method: method, path: path) == expected)
    }
}
