import Foundation

#if !MJFUZZ_LIBFUZZER
/// The normal build's entry: replays each file given as an argument (a libFuzzer crash file or a
/// corpus entry) through the same targets, so a reproducer can be debugged without libFuzzer.
@main
struct MJFuzzRunner {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: MJFuzz <input file>... (build with scripts/fuzz/libfuzzer.sh to fuzz)\n".utf8))
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
