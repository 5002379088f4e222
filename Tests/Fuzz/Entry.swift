import Foundation

#if LATITUDE_FUZZ
  /// libFuzzer's driver (from libclang_rt.fuzzer_no_main, linked by `make fuzz`): SwiftPM
  /// gives every executable its own entry point, so the fuzzer runs from this one.
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  /// Runs the target named by `LATITUDE_FUZZ_TARGET` under libFuzzer; arguments are
  /// libFuzzer's own (-max_total_time=, corpus folders, ...).
  @main struct FuzzDriver {
    static let target = ProcessInfo.processInfo.environment["LATITUDE_FUZZ_TARGET"] ?? "frame"

    static func main() {
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      exit(
        LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
          let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
          FuzzTargets.run(FuzzDriver.target, data)
          return 0
        })
    }
  }
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
          ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map {
            path + "/" + $0
          }
          : [path]
        for file in files {
          FuzzTargets.run(target, try Data(contentsOf: URL(fileURLWithPath: file)))
          count += 1
        }
      }
      FuzzTargets.finish()
      print("replayed \(count) inputs through \(target)")
    }
  }
#endif
