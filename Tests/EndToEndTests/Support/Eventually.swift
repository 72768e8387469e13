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

/// Runs `body`, failing with `what` if it takes longer than `timeout` (the body is cancelled).
func withDeadline<T: Sendable>(_ what: String, _ timeout: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> T?) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TestFailure("timed out after \(timeout): \(what)") }
        return value
    }
}
