import Foundation

#if LATITUDE_FUZZ
  /// libFuzzer's entry point (built with `-sanitize=fuzzer`; see `make fuzz`).
  @_cdecl("LLVMFuzzerTestOneInput")
  public func latitudeFuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    FuzzTargets.run(target, Data(bytes: bytes, count: count))
    return 0
  }

  let target = ProcessInfo.processInfo.environment["LATITUDE_FUZZ_TARGET"] ?? "frame"
#else
  /// Without libFuzzer: replays files (a corpus or crash inputs) through one target, so a
  /// crash the fuzzer found stays a regression input in plain builds too.
  /// Usage: latitude-fuzz TARGET FILE_OR_FOLDER...
  @main struct ReplayFuzzInputs {
    static func main() throws {
      let arguments = CommandLine.arguments.dropFirst()
      guard let target = arguments.first else {
        FileHandle.standardError.write(Data("usage: latitude-fuzz TARGET FILE_OR_FOLDER...\n".utf8))
        exit(2)
      }
      var count = 0
      for path in arguments.dropFirst() {
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let files =
          isFolder.boolValue
          ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
          : [path]
        for file in files {
          FuzzTargets.run(target, try Data(contentsOf: URL(fileURLWithPath: file)))
          count += 1
        }
      }
      print("replayed \(count) inputs through \(target)")
    }
  }
#endif
