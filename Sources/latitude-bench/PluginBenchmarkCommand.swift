import ArgumentParser
import Canvas
import CommandSupport
import Dispatch
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude-bench plugins`: one operation call through the native ABI and through the
/// WebAssembly sandbox, from the same C source, in the same run (`make bench-plugins`).
/// The last stdout line is one JSON object.
struct PluginBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins",
    abstract: "Time an operation call: native plugin vs the same plugin as WebAssembly.",
    discussion: """
      The built-in operations (Plugins/builtin-ops) run natively (libLatitudeBuiltinOps.so
      beside this binary) and as builtin-ops.wasm from --wasm (built by
      scripts/build-wasm-plugin.sh from the same source). Each call is --operation on
      --inputs random unit latents with two axes, through PluginRegistry.run (validation,
      buffers, the call, the checks); the two kinds of call alternate, so both see the same
      machine. Reports the p50 and p90 of each in microseconds, their ratio, and the largest
      difference between the two results (0: bit-identical).
      """)

  @Option(help: "Folder with builtin-ops.wasm and builtin-ops.json.") var wasm: String
  @Option(help: "Operation to call.") var operation = "move-along-axes"
  @Option(help: "Input latents per call.") var inputs = 16
  @Option(help: "Timed calls of each kind.") var calls = 2000
  @Option(help: "Untimed calls of each kind first.") var warmup = 100

  func run() throws {
    let logger = Logger(label: "bench.plugins")
    let native = PluginRegistry(directories: [], encoder: nil, logger: logger)
    let sandboxed = PluginRegistry(
      directories: [wasm], encoder: nil, builtins: false, logger: logger)
    guard native.plugins.first?.runtime == .native, native.operation(operation) != nil else {
      throw CLIError("the native built-in plugin did not load (build LatitudeBuiltinOps)")
    }
    guard sandboxed.plugins.first?.runtime == .webAssembly, sandboxed.operation(operation) != nil
    else {
      throw CLIError(
        "no WebAssembly \(operation) in \(wasm): \(sandboxed.refusals.map(\.description))")
    }
    var generator = SplitMix(seed: 42)
    let latents = (0..<inputs).map { _ in generator.unitVector(384) }
    let axes = ["a", "b"].map {
      OperationAxis(
        id: $0, direction: generator.unitVector(384), negativeMean: -0.2, positiveMean: 0.2)
    }
    let params =
      operation == "move-along-axes"
      ? JSONValue.object(["targets": .object(["a": .number(0.5), "b": .number(-0.5)])])
      : .object([:])
    func call(_ registry: PluginRegistry) throws -> (Double, OperationOutput) {
      let start = DispatchTime.now()
      let output = try registry.run(operation, inputs: latents, params: params, axes: axes)
      return (secondsSince(start) * 1e6, output)
    }
    for _ in 0..<warmup {
      _ = try call(native)
      _ = try call(sandboxed)
    }
    var nativeTimes: [Double] = []
    var wasmTimes: [Double] = []
    var difference: Float = 0
    for _ in 0..<calls {
      let (nativeTime, a) = try call(native)
      let (wasmTime, b) = try call(sandboxed)
      nativeTimes.append(nativeTime)
      wasmTimes.append(wasmTime)
      for (x, y) in zip(a.vectors.joined(), b.vectors.joined()) {
        difference = max(difference, abs(x - y))
      }
    }
    nativeTimes.sort()
    wasmTimes.sort()
    let nativeP50 = percentile(nativeTimes, 0.5)
    let wasmP50 = percentile(wasmTimes, 0.5)
    print(
      "\(operation) on \(inputs) inputs: native p50 \(nativeP50) µs, WebAssembly p50 \(wasmP50) µs"
    )
    print(
      jsonLine([
        "native_call_us": nativeP50, "native_call_us_p90": percentile(nativeTimes, 0.9),
        "wasm_call_us": wasmP50, "wasm_call_us_p90": percentile(wasmTimes, 0.9),
        "wasm_vs_native": wasmP50 / nativeP50, "max_abs_difference": Double(difference),
        "calls": Double(calls), "inputs": Double(inputs),
      ]), terminator: "")
  }
}

/// A small seeded generator for benchmark inputs.
private struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func unitVector(_ n: Int) -> [Float] {
    LatentGeometry.normalized((0..<n).map { _ in Float(next() % 2001) / 1000 - 1 })
  }
}
