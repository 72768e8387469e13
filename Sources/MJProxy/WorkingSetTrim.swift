#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ServiceLifecycle

/// Once start-up has settled, gives back to the kernel what only start-up used.
///
/// Start-up touches much code that an idle or serving proxy never runs again (configuration and YAML,
/// migrations, the OpenAPI document, templates, the first connect of every account), and the kernel maps code
/// in blocks around every page touched; that code stays resident for the life of the process, as do heap pages
/// freed after the connect burst. Once every enabled account is connected (or after `settleLimit`), and
/// `quiet` later, this:
/// - returns free heap pages (`malloc_trim`);
/// - drops the resident pages of read-only file mappings that hold only file pages (`MADV_DONTNEED` on code
///   and constants; see `trimmableMappings`). Such pages equal the file's, so the kernel maps them again from
///   the file (its page cache) at the next use: what the process keeps running comes back, the rest stays out
///   of its resident set.
/// Afterwards, every `heapInterval`, free heap pages are returned again (`HeapPolicy` lets the heap keep up
/// to 32 MB free per arena between requests, which a burst of large answers leaves behind).
/// Runs once per process (not in tests: several runtimes share a test process). Linux only.
struct WorkingSetTrim: Service {
    let settled: @Sendable () async -> Bool
    let settleLimit: Duration
    let quiet: Duration
    var heapInterval: Duration = .seconds(60)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            let giveUp = clock.now.advanced(by: settleLimit)
            while clock.now < giveUp, !(await settled()) {
                guard (try? await Task.sleep(for: .milliseconds(500))) != nil else { return }
            }
            guard (try? await Task.sleep(for: quiet)) != nil else { return }
            let before = Self.residentKilobytes()
            let started = clock.now
            let dropped = Self.trim()
            logger.info(
                "start-up working set trimmed",
                metadata: [
                    "rssBeforeKB": "\(before.map(String.init) ?? "?")", "rssAfterKB": "\(Self.residentKilobytes().map(String.init) ?? "?")",
                    "mappings": "\(dropped)", "took": "\(clock.now - started)",
                ])
            while (try? await Task.sleep(for: heapInterval)) != nil {
                Self.trimHeap()
            }
        }
    }

    /// Returns free heap pages to the kernel (glibc's `malloc_trim`; malloc.h is not in the Glibc module:
    /// looked up by name, skipped if absent).
    static func trimHeap() {
        #if os(Linux)
        if let symbol = dlsym(nil, "malloc_trim") {
            _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        #endif
    }

    /// Trims the heap and the code mappings; returns how many mappings were advised.
    static func trim() -> Int {
        #if os(Linux)
        trimHeap()
        guard let smaps = readProcFile("/proc/self/smaps") else { return 0 }
        var count = 0
        for mapping in trimmableMappings(smaps) {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.lowerBound) else { continue }
            if madvise(start, Int(mapping.upperBound - mapping.lowerBound), MADV_DONTNEED) == 0 { count += 1 }
        }
        return count
        #else
        return 0
        #endif
    }

    /// The address ranges that can be dropped, from a `/proc/<pid>/smaps` text: read-only private mappings
    /// of files (`r-xp` code, `r--p` constants) holding no anonymous page. A page written once (relocations in
    /// a RELRO mapping, a debugger's breakpoint) is anonymous: dropping it would lose the write, so a mapping
    /// with any is left alone. Writable, anonymous and special (`[vdso]`) mappings never.
    static func trimmableMappings(_ smaps: String) -> [Range<UInt>] {
        var ranges: [Range<UInt>] = []
        var current: Range<UInt>?
        var clean = true
        func close() {
            if let range = current, clean { ranges.append(range) }
            current = nil
        }
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                // "Anonymous:   0 kB", "Locked:   0 kB", … of the mapping above.
                if first == "Anonymous:" || first == "Locked:", fields.count >= 2, fields[1] != "0" { clean = false }
                continue
            }
            let bounds = first.split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16) else { continue }
            close()
            clean = true
            // The path field keeps the padding before it (maxSplits leaves the rest as is).
            guard fields.count == 6, fields[1] == "r-xp" || fields[1] == "r--p", fields[5].drop(while: { $0 == " " }).hasPrefix("/"),
                low < high
            else { continue }
            current = low..<high
        }
        close()
        return ranges
    }

    /// The process's resident set (VmRSS) in kilobytes.
    static func residentKilobytes() -> Int? {
        guard let status = readProcFile("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    /// The whole text of a `/proc` file. Read to the end with `read(2)`: procfs reports a size of 0 and
    /// Foundation's `String(contentsOfFile:)` returned only its first page.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
