import DiscordKit
import Foundation

/// Channel messages, the CDN's files and the 3-step uploads of the sandbox, each bounded.
extension SandboxWorld {
    /// Stores a new message and dispatches MESSAGE_CREATE to whoever sees the channel.
    func create(_ message: Message, onlySession: String? = nil) {
        // Ephemeral messages are kept too (their buttons can be pressed) but never listed.
        var list = messages.removeValue(forKey: message.channel_id) ?? []
        list.append(message)
        if list.count > Limits.messagesPerChannel { list.removeFirst(list.count - Limits.messagesPerChannel + 100) }
        messages[message.channel_id] = list
        dispatch("MESSAGE_CREATE", message, channelId: message.channel_id, onlySession: onlySession)
    }

    /// Replaces a stored message and dispatches MESSAGE_UPDATE.
    func update(_ message: Message, onlySession: String? = nil) {
        // In place (a copy of the list out of the dictionary would copy every stored message of the
        // channel); from the end, where the messages being edited are.
        if let i = messages[message.channel_id]?.lastIndex(where: { $0.id == message.id }) {
            messages[message.channel_id]?[i] = message
        }
        dispatch("MESSAGE_UPDATE", message, channelId: message.channel_id, onlySession: onlySession)
    }

    /// Deletes a message and dispatches MESSAGE_DELETE.
    func delete(messageId: String, channelId: String) {
        messages[channelId]?.removeAll { $0.id == messageId }
        let guildId = isGuildChannel(channelId) ? SandboxIDs.guildId : nil
        dispatch("MESSAGE_DELETE", MessageDelete(id: messageId, channel_id: channelId, guild_id: guildId), channelId: channelId)
    }

    /// A stored message.
    func message(id: String, channelId: String) -> Message? { messages[channelId]?.last { $0.id == id } }

    /// Newest-first messages of a channel.
    func recentMessages(channelId: String, limit: Int, before: String?, after: String? = nil) -> [Message] {
        var list = Array((messages[channelId] ?? []).reversed()).filter { ($0.flags ?? 0) & 64 == 0 }
        if let before, let b = Int64(before) { list = list.filter { (Int64($0.id) ?? 0) < b } }
        if let after, let a = Int64(after) {
            // Like Discord: the `limit` messages right after `after`, still listed newest first.
            return Array(list.filter { (Int64($0.id) ?? 0) > a }.suffix(limit))
        }
        return Array(list.prefix(limit))
    }

    /// The bytes behind a CDN URL of this sandbox (for the bots reading images they were given by link).
    func file(url: String) -> StoredFile? {
        guard url.hasPrefix(baseURL) else { return nil }
        let path = String(url.dropFirst(baseURL.count).split(separator: "?", maxSplits: 1).first ?? "")
        return files[path]
    }

    /// Stores bytes on the CDN and returns the attachment object (URLs signed like Discord's).
    func storeAttachment(
        channelId: String, filename: String, bytes: [UInt8], contentType: String, width: Int?, height: Int?, ephemeral: Bool = false
    ) -> Attachment {
        let id = snowflake()
        let prefix = ephemeral ? "ephemeral-attachments" : "attachments"
        let path = "/\(prefix)/\(channelId)/\(id)/\(filename)"
        files[path] = StoredFile(bytes: bytes, contentType: contentType)
        fileOrder.append(path)
        fileBytes += bytes.count
        while fileOrder.count > 1, fileOrder.count > Limits.files || fileBytes > Limits.fileBytes {
            if let evicted = files.removeValue(forKey: fileOrder.removeFirst()) { fileBytes -= evicted.bytes.count }
        }
        let now = Int(Date().timeIntervalSince1970)
        let sig =
            "?ex=" + TextFormat.hex(UInt64(max(0, now + 14 * 86400)), width: 8) + "&is=" + TextFormat.hex(UInt64(max(0, now)), width: 8) + "&hm="
            + TextFormat.hex(UInt64(bitPattern: Int64(id.hashValue)), width: 16) + "&"
        return Attachment(
            id: id, filename: filename, size: bytes.count, url: baseURL + path + sig, proxy_url: baseURL + path + sig,
            width: width, height: height, content_type: contentType, ephemeral: ephemeral ? true : nil)
    }

    /// A CDN file by path.
    func file(path: String) -> StoredFile? { files[path] }

    /// Forgets every CDN file, as Discord's links do when they expire: their URLs answer 404 from now on.
    /// Returns how many files were dropped.
    @discardableResult
    public func expireCDNFiles() -> Int {
        let n = files.count
        files.removeAll()
        fileOrder.removeAll()
        fileBytes = 0
        return n
    }

    /// Step 1 of the upload flow: reserves an upload slot.
    func reserveUpload(filename: String) -> (uploadURL: String, uploadFilename: String) {
        let name = UUID().uuidString.lowercased() + "/" + String(filename.prefix(256))
        pendingUploads[name] = .some(nil)
        uploadOrder.append(name)
        evictUploads()
        return (baseURL + "/upload/" + name + "?upload_id=" + snowflake(), name)
    }

    /// Step 2: the bytes PUT to the slot.
    func completeUpload(uploadFilename: String, bytes: [UInt8], contentType: String) -> Bool {
        guard let slot = pendingUploads[uploadFilename] else { return false }
        pendingUploadBytes += bytes.count - (slot?.bytes.count ?? 0)
        pendingUploads[uploadFilename] = StoredFile(bytes: bytes, contentType: contentType)
        evictUploads()
        return pendingUploads[uploadFilename] != nil
    }

    /// Step 3: takes an uploaded file for use in a message or interaction.
    func takeUpload(_ uploadFilename: String) -> StoredFile? {
        guard let entry = pendingUploads[uploadFilename], let file = entry else { return nil }
        pendingUploads[uploadFilename] = nil
        pendingUploadBytes -= file.bytes.count
        uploadOrder.removeAll { $0 == uploadFilename }
        return file
    }

    /// Drops the oldest upload slots while there are too many or they hold too many bytes.
    func evictUploads() {
        while !uploadOrder.isEmpty, uploadOrder.count > Limits.pendingUploads || pendingUploadBytes > Limits.pendingUploadBytes {
            let oldest = uploadOrder.removeFirst()
            if let slot = pendingUploads.removeValue(forKey: oldest), let file = slot { pendingUploadBytes -= file.bytes.count }
        }
    }
}
