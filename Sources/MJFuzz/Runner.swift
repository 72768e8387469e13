import Foundation

#if MJFUZZ_LIBFUZZER
// Built with -sanitize=fuzzer: SwiftPM links an executable's entry as `<Module>_main` (it renames
// `main` so tests can link executables), which keeps libFuzzer's own `main` out of the link. This
// entry hands control to libFuzzer's driver instead, with the same test function.

/// libFuzzer's driver (in libclang_rt.fuzzer; C ABI with pointer and integer arguments only).
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The executable's entry under libFuzzer: runs the fuzzing driver.
@_cdecl("MJFuzz_main")
func mjFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments) { data, size in fuzzTestOneInput(data, size) }
}
#else
/// The normal build's entry: replays each file given as an argument (a libFuzzer crash file or a
/// corpus entry) through the same targets, so a reproducer can be debugged without libFuzzer.
@main
struct MJFuzzRunner {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: MJFuzz <input file or directory>... (scripts/fuzz/libfuzzer.sh fuzzes)\n".utf8))
            return
        }
        var replayed = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files =
                isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                FuzzTarget.run(Array(data))
                replayed += 1
            }
        }
        print("MJFuzz: replayed \(replayed) inputs")
    }
}
#endif
