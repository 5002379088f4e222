import ArgumentParser
import CommandSupport
import Foundation

/// `latitude bench ...`: runs the `latitude-bench` executable beside this one with the
/// same arguments (the benchmarks are their own target, so they do not ship in the server).
struct BenchForwarder: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Run a benchmark (forwards to latitude-bench; see `latitude-bench --help`).")

  @Argument(parsing: .captureForPassthrough, help: "Arguments for latitude-bench.")
  var arguments: [String] = []

  func run() throws {
    let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
      .deletingLastPathComponent()
    let path = folder.appendingPathComponent("latitude-bench").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw CLIError(
        "latitude-bench is not built beside \(folder.path): run `swift build -c release --product latitude-bench`"
      )
    }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    execv(path, argv)
    throw CLIError("could not run \(path): \(String(cString: strerror(errno)))")
  }
}
