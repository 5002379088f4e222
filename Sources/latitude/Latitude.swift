import CommandSupport
import ArgumentParser
import Foundation
import Latent
import Logging

/// The `latitude` command: a thin shell over the Latitude libraries.
@main
struct Latitude: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "latitude",
    abstract: "Collaborative latent-space canvases: op log, replay and tools.",
    discussion: """
      Documents live in one SQLite file (default ./data/latitude.sqlite).
      Set LATITUDE_LOG_LEVEL (trace, debug, info, notice, warning, error) to change logging.
      When OpenBLAS does not recognise the CPU and falls back to generic kernels, latitude
      restarts itself with OPENBLAS_CORETYPE set to the best supported family; set
      OPENBLAS_CORETYPE yourself, or LATITUDE_BLAS_AUTOTUNE=0, to opt out.
      """,
    version: LatitudeVersion.current,
    subcommands: [
      ServeCommand.self, TokenCommand.self, DocsCommand.self, EncodeCommand.self,
      DecodeCommand.self, RoundtripCommand.self, BankCommand.self, AxisCommand.self,
      MapCommand.self, FeaturesCommand.self,
      PluginsCommand.self, OpCommand.self,
      ReplayCommand.self,
      ExportCommand.self,
      ImportCommand.self,
      BenchForwarder.self, DebugAppendCommand.self,
    ])

  static func main() {
    BLASKernel.reexecutingIfNeeded()
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      let name = ProcessInfo.processInfo.environment["LATITUDE_LOG_LEVEL"] ?? "notice"
      handler.logLevel = Logger.Level(rawValue: name.lowercased()) ?? .notice
      return handler
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}

/// The build's version string.
enum LatitudeVersion {
  static let current = "0.1.0"
}
