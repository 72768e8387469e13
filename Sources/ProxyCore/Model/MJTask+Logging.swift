import Logging

extension MJTask {
    /// Metadata for a log line about this task: `task`, `account` once it has one, then `extra`.
    /// (Lines logged through an account's logger carry `account` already.)
    public func logMetadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["task": .string(id)]
        if let accountId { metadata["account"] = .string(accountId) }
        return metadata.merging(extra) { _, new in new }
    }
}
