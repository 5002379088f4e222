import Canvas
import Foundation
import Latent
import Logging
import PluginHost
import Testing

/// WebAssembly plugins: the same C source as a native plugin, run in a sandbox whose every
/// limit the host enforces.
@Suite struct WasmPluginTests {
  static let logger = Logger(label: "test")
  /// A small budget so the endless loop is stopped quickly in a debug build.
  static let limits = WasmLimits(memoryPages: 64, fuel: 20_000_000)
  static let unit = PluginBoundsTests.unit

  static let example = WasmFixtures.Build(
    file: "extrapolate", source: "Plugins/example-extrapolate/extrapolate.c",
    manifestName: "example-extrapolate", version: "0.1.0")

  @Test func theExamplePluginGivesIdenticalResultsFromSoAndWasm() throws {
    let wasm = PluginRegistry(
      directories: [try WasmFixtures.folder([Self.example])], encoder: nil, wasmLimits: Self.limits,
      builtins: false, logger: Self.logger)
    let native = PluginRegistry(
      directories: [
        try PluginBoundsTests.buildTestPlugin(
          defines: [], source: "../../../Plugins/example-extrapolate/extrapolate.c")
      ], encoder: nil, builtins: false, logger: Self.logger)
    #expect(wasm.refusals.isEmpty, "\(wasm.refusals)")
    #expect(wasm.plugins.map(\.runtime) == [.webAssembly])
    #expect(native.plugins.map(\.runtime) == [.native])
    let operation = try #require(wasm.operation("extrapolate"))
    #expect(operation.inputs == 2...2 && operation.effect == .createsNodes(.derived))
    for (seed, t) in [(1, 1.5), (7, 0.25), (11, 4.0)] {
      let inputs = [Self.unit(seed), Self.unit(seed + 1)]
      let params = JSONValue.object(["t": .number(t)])
      let fromWasm = try wasm.run("extrapolate", inputs: inputs, params: params, axes: [])
      let fromNative = try native.run("extrapolate", inputs: inputs, params: params, axes: [])
      #expect(fromWasm.vectors == fromNative.vectors, "t = \(t)")
    }
    do {
      _ = try wasm.run(
        "extrapolate", inputs: [Self.unit(1), Self.unit(2)], params: .object(["t": .number(9)]),
        axes: [])
      Issue.record("t = 9 was accepted")
    } catch {
      #expect(error.description.contains("at most 4"), "its params schema holds: \(error)")
    }
    #expect(wasm.faults == 0 && wasm.disabled.isEmpty)
  }

  @Test func everyHostileCaseFailsOnlyItsOwnRequest() throws {
    let folder = try WasmFixtures.folder(WasmFixtures.hostileBuilds + [Self.example])
    let registry = PluginRegistry(
      directories: [folder], encoder: nil, wasmLimits: Self.limits, builtins: false,
      logger: Self.logger)
    #expect(registry.refusals.isEmpty, "\(registry.refusals)")
    #expect(WasmFixtures.hostileCases.count >= 10)
    for hostile in WasmFixtures.hostileCases {
      do {
        _ = try registry.run(
          "hostile-" + hostile.name, inputs: [Self.unit(1)], params: .object([:]), axes: [])
        Issue.record("hostile-\(hostile.name) succeeded")
      } catch {
        #expect(
          error.description.contains(hostile.reason),
          "hostile-\(hostile.name): \(error.description)")
      }
      let fine = try registry.run(
        "extrapolate", inputs: [Self.unit(3), Self.unit(4)], params: .object([:]), axes: [])
      #expect(fine.vectors.count == 1, "the example still runs after hostile-\(hostile.name)")
    }
    // huge-alloc reports its refused growth as its own error: not a fault.
    #expect(registry.faults == WasmFixtures.hostileCases.count - 1)
    #expect(registry.disabled.isEmpty, "one fault each does not disable")
  }

  @Test func repeatedFaultsDisableAPlugin() throws {
    let trap = WasmFixtures.hostileBuilds.first { $0.file == "hostile-trap" }!
    let registry = PluginRegistry(
      directories: [try WasmFixtures.folder([trap])], encoder: nil, wasmLimits: Self.limits,
      builtins: false, logger: Self.logger)
    for _ in 0..<registry.disableAfterFailures {
      #expect(throws: OperationError.self) {
        try registry.run("hostile-trap", inputs: [Self.unit(1)], params: .object([:]), axes: [])
      }
    }
    #expect(registry.disabled == ["hostile-trap"])
    #expect(throws: OperationError.disabled(plugin: "hostile-trap")) {
      try registry.run("hostile-trap", inputs: [Self.unit(1)], params: .object([:]), axes: [])
    }
  }

  @Test func callsKeepNoStateAndTheSameRequestGivesTheSameResult() throws {
    let registry = PluginRegistry(
      directories: [
        try WasmFixtures.folder([
          .init(
            file: "stateful", source: "Tests/Fixtures/wasm-hostile/stateful.c",
            manifestName: "test-stateful")
        ])
      ], encoder: nil, wasmLimits: Self.limits, builtins: false, logger: Self.logger)
    let first = try registry.run("jitter", inputs: [Self.unit(5)], params: .object([:]), axes: [])
    let again = try registry.run("jitter", inputs: [Self.unit(5)], params: .object([:]), axes: [])
    #expect(first.vectors == again.vectors, "no call counter survives, rand() is seeded")
    let other = try registry.run(
      "jitter", inputs: [Self.unit(5)], params: .object(["x": .number(1)]), axes: [])
    #expect(first.vectors != other.vectors, "another request gets another seed")
  }

  @Test func modulesThatReachForTheClockOrLackAManifestAreRefused() throws {
    let folder = try WasmFixtures.folder([
      .init(
        file: "clock", source: "Tests/Fixtures/wasm-hostile/stateful.c", flags: ["-DUSE_CLOCK"],
        manifestName: "test-stateful"),
      .init(file: "nomanifest", source: "Tests/Fixtures/wasm-hostile/stateful.c"),
      .init(
        file: "liar", source: "Tests/Fixtures/wasm-hostile/stateful.c",
        manifestName: "someone-else"),
    ])
    try Data("not wasm".utf8).write(to: URL(fileURLWithPath: folder + "/garbage.wasm"))
    try Data(#"{"name": "garbage", "version": "1"}"#.utf8).write(
      to: URL(fileURLWithPath: folder + "/garbage.json"))
    let registry = PluginRegistry(
      directories: [folder], encoder: nil, wasmLimits: Self.limits, builtins: false,
      logger: Self.logger)
    #expect(registry.plugins.isEmpty)
    let reasons = registry.refusals.map(\.description).joined(separator: "\n")
    #expect(reasons.contains("clock_time_get"), "\(reasons)")
    #expect(reasons.contains("nomanifest.json"), "\(reasons)")
    #expect(reasons.contains("but its manifest says someone-else"), "\(reasons)")
    #expect(reasons.contains("not a valid WebAssembly module"), "\(reasons)")
    #expect(registry.refusals.count == 4)
  }

  @Test func memoryPastTheLimitIsNeverGranted() throws {
    let alloc = WasmFixtures.hostileBuilds.first { $0.file == "hostile-huge-alloc" }!
    let tiny = PluginRegistry(
      directories: [try WasmFixtures.folder([alloc])], encoder: nil,
      wasmLimits: WasmLimits(memoryPages: 1, fuel: 20_000_000), builtins: false,
      logger: Self.logger)
    #expect(tiny.plugins.isEmpty, "a module starting above the page limit is refused")
    #expect(
      tiny.refusals.first?.description.contains("initial memory size exceeds the resource limit")
        == true,
      "\(tiny.refusals)")
  }
}
