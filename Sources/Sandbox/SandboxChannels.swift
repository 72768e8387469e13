import DiscordKit
import Foundation

/// Whether a user may use a channel of the sandbox.
enum ChannelAccess: Sendable, Equatable {
    case allowed
    /// No such channel (Discord: 404 Unknown Channel, 10003).
    case unknown
    /// A channel the user cannot view (Discord: 403 Missing Access, 50001).
    case hidden
}

extension SandboxWorld {
    /// The owners of private channels: channel `n` → the user of `SandboxIDs.accountToken(n)`.
    static func owners(of configuration: SandboxConfiguration) -> [String: String] {
        guard configuration.privateChannels, configuration.channelCount > 0 else { return [:] }
        var owners: [String: String] = [:]
        for n in 1...configuration.channelCount {
            owners[SandboxIDs.channelId(n)] = userId(forToken: SandboxIDs.accountToken(n))
        }
        return owners
    }

    /// Permission overwrites of a guild channel as Discord lists them: a private channel denies
    /// VIEW_CHANNEL (1 << 10) to @everyone (the role with the guild's id) and allows its owner.
    nonisolated func permissionOverwrites(channelId: String) -> JSONValue {
        guard let owner = channelOwners[channelId] else { return [] }
        return [
            ["id": .string(SandboxIDs.guildId), "type": 0, "allow": "0", "deny": "1024"],
            ["id": .string(owner), "type": 1, "allow": "1024", "deny": "0"],
        ]
    }
}
