#if canImport(Glibc)
import Glibc
#endif

/// glibc's heap thresholds for a process that serves multi-megabyte responses.
///
/// A `list-by-condition` of 1,000 tasks answers ~2.2 MB, assembled in one buffer that NIO rounds up to
/// 4 MB. With glibc's own (adaptive) thresholds such a block came from a fresh mapping or, once freed, its
/// pages went back to the kernel, so every such request faulted them in anew: ~550 page faults and 13 % of
/// the process's CPU under benchmark load, 2.1 ms per request instead of 1.0. Raising both thresholds keeps
/// these blocks in the heap and reused (raising either alone changed nothing, measured with `GLIBC_TUNABLES`). Memory held back this way is bounded (free space at the top of each arena up to
/// `trimThreshold`) and returned by `WorkingSetTrim`'s periodic `malloc_trim`.
///
/// An operator's own setting wins: with `GLIBC_TUNABLES` naming a malloc tunable, or any of glibc's
/// `MALLOC_*` variables, nothing is changed.
enum HeapPolicy {
    /// Blocks up to this size come from the heap, not from their own mapping.
    static let mmapThreshold = 8 << 20
    /// Free space at the top of a heap beyond this is given back to the kernel.
    static let trimThreshold = 32 << 20

    /// Whether to apply the policy under `environment` (no operator setting of glibc's malloc).
    static func applies(environment: [String: String]) -> Bool {
        if let tunables = environment["GLIBC_TUNABLES"], tunables.contains("glibc.malloc.") { return false }
        return !environment.keys.contains { $0.hasPrefix("MALLOC_") }
    }

    /// Sets both thresholds (glibc's `mallopt`, looked up by name: malloc.h is not in the Glibc module).
    /// Returns whether both were set; false on other C libraries or when the environment sets its own.
    @discardableResult
    static func apply(environment: [String: String]) -> Bool {
        #if os(Linux)
        guard applies(environment: environment), let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        // M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3 (malloc.h).
        return mallopt(-3, Int32(mmapThreshold)) == 1 && mallopt(-1, Int32(trimThreshold)) == 1
        #else
        return false
        #endif
    }
}
