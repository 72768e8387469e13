/// Polls `probe` until it returns a value, failing after `timeout`: the one way tests wait for
/// something asynchronous (a deadline on every wait, never an open-ended loop).
@discardableResult
func eventually<T: Sendable>(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}
