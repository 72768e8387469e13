/// Webhook deliveries (`notifyHook`, `webhook.url`) go through the outbound policy: `post` checks
/// every URL, pins the checked address, follows no redirect (a 3xx is returned as the status) and
/// reports every failure as a generic `OutboundError`.
extension OutboundHTTP: WebhookTransport {}
