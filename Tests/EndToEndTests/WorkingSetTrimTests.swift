import Foundation
import Testing

@testable import MJProxy

@Suite struct WorkingSetTrimTests {
    /// One smaps entry: the header line and the fields the trim reads.
    static func entry(_ header: String, anonymous: Int = 0, locked: Int = 0) -> String {
        "\(header)\nSize:                 64 kB\nRss:                  12 kB\nAnonymous:      \(anonymous) kB\nLocked:         \(locked) kB\nVmFlags: rd ex mr mw me\n"
    }

    @Test func onlyReadOnlyFileMappingsWithoutWrittenPagesAreChosen() {
        let smaps = [
            Self.entry("55d4c0a00000-55d4c0b00000 r--p 00000000 08:01 1234                       /usr/bin/mjproxy"),
            Self.entry("55d4c0b00000-55d4c2000000 r-xp 00100000 08:01 1234                       /usr/bin/mjproxy"),
            // RELRO: relocated (written) before it was made read-only.
            Self.entry("55d4c2000000-55d4c2100000 r--p 01600000 08:01 1234                       /usr/bin/mjproxy", anonymous: 8),
            Self.entry("55d4c2100000-55d4c2200000 rw-p 01700000 08:01 1234                       /usr/bin/mjproxy"),
            Self.entry("7f00aa000000-7f00aa400000 r-xp 00000000 08:01 99 /opt/swift/usr/lib/swift/linux/libswiftCore.so"),
            Self.entry("7f00aa400000-7f00aa500000 r-xp 00000000 08:01 98 /locked.so", locked: 4),
            Self.entry("7f00ab000000-7f00ab021000 rw-p 00000000 00:00 0"),
            Self.entry("7f00ab100000-7f00ab121000 r--p 00000000 00:00 0"),
            Self.entry("7ffd1c3f1000-7ffd1c3f3000 r-xp 00000000 00:00 0                          [vdso]"),
            Self.entry("7f00ac000000-7f00ac001000 r-xp 00000000 08:01 77                         /path with spaces/lib.so"),
            "garbage line\n",
            Self.entry("7f00ad000000-7f00ac000000 r-xp 00000000 08:01 78                         /inverted.so"),
        ].joined()
        #expect(WorkingSetTrim.trimmableMappings(smaps) == [
            0x55d4_c0a0_0000..<0x55d4_c0b0_0000, 0x55d4_c0b0_0000..<0x55d4_c200_0000, 0x7f00_aa00_0000..<0x7f00_aa40_0000,
            0x7f00_ac00_0000..<0x7f00_ac00_1000,
        ])
    }

    /// The trim really runs here (on this test process's own mappings) and code keeps running after it.
    @Test func codeRunsOnAfterTheTrim() throws {
        #if os(Linux)
        let smaps = try #require(WorkingSetTrim.readProcFile("/proc/self/smaps"))
        // The whole file: its last mappings (the stack, vsyscall) lie far beyond procfs's first page.
        #expect(smaps.contains("[stack]") || smaps.contains("[vsyscall]"))
        #expect(WorkingSetTrim.trimmableMappings(smaps).count > 3)
        #expect(WorkingSetTrim.trim() > 3)
        #expect((WorkingSetTrim.residentKilobytes() ?? 0) > 0)
        #endif
        let text = (0..<1000).map { String($0, radix: 16) }.joined(separator: ",")
        #expect(text.split(separator: ",").count == 1000)
    }
}

@Suite struct HeapPolicyTests {
    @Test func anOperatorsOwnMallocSettingWins() {
        #expect(HeapPolicy.applies(environment: [:]))
        #expect(HeapPolicy.applies(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0", "MALLOC": "x"]))
        #expect(!HeapPolicy.applies(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"]))
        #expect(!HeapPolicy.applies(environment: ["MALLOC_ARENA_MAX": "2"]))
        #expect(!HeapPolicy.applies(environment: ["MALLOC_TRIM_THRESHOLD_": "1000"]))
    }

    /// glibc takes both thresholds (on Linux), and not when the environment has its own.
    @Test func glibcTakesTheThresholds() {
        #if os(Linux)
        #expect(HeapPolicy.apply(environment: [:]))
        #endif
        #expect(!HeapPolicy.apply(environment: ["MALLOC_MMAP_THRESHOLD_": "65536"]))
    }
}
