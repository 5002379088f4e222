import CommandSupport
import ArgumentParser

/// `latitude-bench` (also run as `latitude bench`): benchmarks that print a ratio against a
/// reference measured in the same run.
@main
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "latitude-bench",
    abstract: "Run a benchmark; the last stdout line is one JSON object of results.",
    subcommands: [
      OplogBenchmarkCommand.self, DecodeBenchmarkCommand.self, EncodeBenchmarkCommand.self,
      FanoutBenchmarkCommand.self, EffortCalibrationCommand.self, FluencyCalibrationCommand.self,
      FeatureEvaluationCommand.self,
      PluginBenchmarkCommand.self, BackendAppendBenchmarkCommand.self,
      SteerEvaluationCommand.self, KernelBenchmarkCommand.self,
    ])
}
