import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Images as files `<directory>/<taskId>/<name>`. A write goes to a temporary file in the same
/// directory, is flushed to disk, then renamed over the target, so a reader (or a crash) never sees
/// half an image. Suits one instance, or several sharing a volume.
public struct DiskImageBackend: ImageBackend {
    public let directory: URL

    /// Creates a backend rooted at `directory` (created on the first write).
    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
    }

    private func url(_ key: String) -> URL { directory.appendingPathComponent(key, isDirectory: false) }

    public func put(key: String, bytes: [UInt8], contentType: String) async throws {
        let target = url(key)
        let folder = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temp = folder.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: nil, attributes: [.posixPermissions: 0o644]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temp)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            guard rename(temp.path, target.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path]) }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw error
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: url(key).path) else { return nil }
        return Array(data)
    }

    public func delete(key: String) async throws {
        let target = url(key)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        try FileManager.default.removeItem(at: target)
        // The task's folder goes with its last image.
        let folder = target.deletingLastPathComponent()
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true { try? FileManager.default.removeItem(at: folder) }
    }

    /// Deletes files modified before `cutoff` (left-over temporary files of a crash included) and
    /// the task folders that become empty.
    public func deleteOlder(than cutoff: Date) async throws -> Int {
        let fm = FileManager.default
        guard let folders = try? fm.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var deleted = 0
        for folder in folders {
            let folderURL = directory.appendingPathComponent(folder, isDirectory: true)
            guard let names = try? fm.contentsOfDirectory(atPath: folderURL.path) else { continue }
            var left = names.count
            for name in names {
                let file = folderURL.appendingPathComponent(name)
                guard let modified = (try? fm.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date, modified < cutoff else { continue }
                if (try? fm.removeItem(at: file)) != nil {
                    left -= 1
                    if !name.hasPrefix(".") { deleted += 1 }
                }
            }
            if left == 0 { try? fm.removeItem(at: folderURL) }
        }
        return deleted
    }
}
