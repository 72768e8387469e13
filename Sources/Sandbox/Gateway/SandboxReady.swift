import DiscordKit
import Foundation

/// The user-style READY and READY_SUPPLEMENTAL payloads (enough for discord.py-self and the proxy).
enum SandboxReady {
    static func bots() -> [DiscordUser] {
        [
            DiscordUser(
                id: SandboxIDs.midjourney, username: "Midjourney Bot", discriminator: "9282", global_name: nil,
                avatar: "f6ce562a6b4979c4b1cbc5b436d3be76", bot: true, public_flags: 589824),
            DiscordUser(id: SandboxIDs.niji, username: "niji・journey Bot", discriminator: "5053", avatar: nil, bot: true, public_flags: 589824),
            DiscordUser(id: SandboxIDs.insightFace, username: "InsightFaceSwap", discriminator: "6009", avatar: nil, bot: true, public_flags: 0),
        ]
    }

    static func guild(world: SandboxWorld, memberIds: [String]) async -> JSONValue {
        let count = await world.configuration.channelCount
        var channels: [JSONValue] = []
        for n in 1...count {
            channels.append([
                "id": .string(SandboxIDs.channelId(n)), "type": 0, "name": .string("mj-\(n)"), "position": .int(Int64(n)),
                "parent_id": nil, "topic": nil, "nsfw": false, "last_message_id": nil, "rate_limit_per_user": 0,
                "permission_overwrites": world.permissionOverwrites(channelId: SandboxIDs.channelId(n)), "flags": 0,
            ])
        }
        let members: [JSONValue] = memberIds.map { id in
            ["user": ["id": .string(id)], "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0]
        }
        return [
            "id": .string(SandboxIDs.guildId),
            "properties": [
                "id": .string(SandboxIDs.guildId), "name": "mjproxy sandbox", "icon": nil, "description": nil, "splash": nil,
                "discovery_splash": nil, "banner": nil, "owner_id": .string(SandboxIDs.midjourney), "application_id": nil,
                "region": "deprecated", "afk_channel_id": nil, "afk_timeout": 300, "system_channel_id": nil,
                "widget_enabled": false, "verification_level": 0, "default_message_notifications": 0,
                "explicit_content_filter": 0, "features": [], "mfa_level": 0, "system_channel_flags": 0,
                "vanity_url_code": nil, "premium_tier": 0, "preferred_locale": "en-US", "rules_channel_id": nil,
                "public_updates_channel_id": nil, "nsfw_level": 0, "premium_progress_bar_enabled": false,
                "max_members": 500000, "max_video_channel_users": 25,
            ],
            "channels": .array(channels), "threads": [], "roles": [
                [
                    "id": .string(SandboxIDs.guildId), "name": "@everyone", "permissions": "2248473465835073", "position": 0,
                    "color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0,
                ]
            ],
            "emojis": [], "stickers": [], "guild_scheduled_events": [], "stage_instances": [], "soundboard_sounds": [],
            "member_count": .int(Int64(memberIds.count)), "large": false, "lazy": true, "premium_subscription_count": 0,
            "joined_at": "2024-01-01T00:00:00.000000+00:00", "data_mode": "full", "version": 0,
            "application_command_counts": ["1": 22, "3": 2],
        ]
    }

    /// READY as a user account receives it (user-style keys).
    static func ready(world: SandboxWorld, user: SandboxUser, sessionId: String) async -> String {
        let gatewayURL = await world.gatewayURL
        let bots = bots()
        let me = user.discordUser
        var users: [JSONValue] = []
        for bot in bots { users.append((try? JSONValue.parse(DiscordJSON.encode(bot))) ?? nil) }
        let meJSON: JSONValue = [
            "id": .string(me.id), "username": .string(me.username), "discriminator": "0", "global_name": .string(me.global_name ?? me.username),
            "avatar": nil, "bot": false, "email": .string("\(me.username)@sandbox.invalid"), "verified": true, "mfa_enabled": false,
            "phone": nil, "premium_type": 0, "flags": 0, "public_flags": 0, "nsfw_allowed": true, "mobile": false, "desktop": true,
            "bio": "", "banner": nil, "accent_color": nil, "purchased_flags": 0,
        ]
        let guild = await guild(world: world, memberIds: [me.id] + bots.map(\.id))
        let ready: JSONValue = [
            "v": 9, "user": meJSON, "users": .array(users), "guilds": [guild], "session_id": .string(sessionId),
            "session_type": "normal", "resume_gateway_url": .string(gatewayURL), "auth_session_id_hash": "c2FuZGJveA==",
            "analytics_token": "sandbox", "country_code": "US", "private_channels": [], "relationships": [],
            "merged_members": [[["user_id": .string(me.id), "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0]]],
            "read_state": ["version": 0, "partial": false, "entries": []],
            "user_guild_settings": ["version": 0, "partial": false, "entries": []],
            "user_settings": [:], "user_settings_proto": nil,
            "sessions": [["session_id": .string(sessionId), "status": "online", "activities": [], "client_info": ["version": 0, "os": "other", "client": "web"]]],
            "experiments": [], "guild_experiments": [], "connected_accounts": [], "consents": ["personalization": ["consented": false]],
            "tutorial": nil, "friend_suggestion_count": 0, "notification_settings": ["flags": 0], "api_code_version": 1,
            "auth": ["authenticator_types": []], "required_action": nil, "geo_ordered_rtc_regions": ["us-east"],
            "_trace": ["[\"sandbox-gateway\",{\"micros\":0}]"],
        ]
        return ready.compactString
    }

    /// A SYNC member-list update for the sandbox guild (answer to op 37 channel subscriptions).
    static func memberList(world: SandboxWorld, sessionId: String) async -> String {
        let members = await world.memberUsers(sessionId: sessionId)
        var items: [JSONValue] = [["group": ["id": "online", "count": .int(Int64(members.count))]]]
        for user in members {
            let userJSON = (try? JSONValue.parse(DiscordJSON.encode(user))) ?? nil
            items.append([
                "member": [
                    "user": userJSON, "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
                    "flags": 0, "presence": ["user": ["id": .string(user.id)], "status": "online", "client_status": ["web": "online"], "activities": []],
                ]
            ])
        }
        let value: JSONValue = [
            "guild_id": .string(SandboxIDs.guildId), "id": "everyone",
            "ops": [["op": "SYNC", "range": [0, 99], "items": .array(items)]],
            "groups": [["id": "online", "count": .int(Int64(members.count))]], "member_count": .int(Int64(members.count)),
            "online_count": .int(Int64(members.count)),
        ]
        return value.compactString
    }

    /// READY_SUPPLEMENTAL with the keys user libraries read.
    static func supplemental() -> String {
        let value: JSONValue = [
            "guilds": [["id": .string(SandboxIDs.guildId), "voice_states": [], "embedded_activities": [], "activity_instances": []]],
            "merged_members": [[]], "merged_presences": ["guilds": [[]], "friends": []], "lazy_private_channels": [],
            "disclose": [], "game_invites": [],
        ]
        return value.compactString
    }
}
