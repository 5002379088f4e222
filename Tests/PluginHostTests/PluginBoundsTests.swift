import Canvas
import Foundation
import Latent
import Logging
import PluginHost
import Testing

/// The host never trusts a count it merely told a plugin: buffers are sized from each
/// operation's declared bound, and results over it are refused.
@Suite struct PluginBoundsTests {
  static let logger = Logger(label: "test")

  static func unit(_ seed: Int) -> [Float] {
    var state = UInt64(seed) &+ 0x9E37_79B9_7F4A_7C15
    let values = (0..<384).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
    }
    return LatentGeometry.normalized(values)
  }

  @Test func moveAlongAxesWritesOneOutputPerInputBeyondTheOldFixedBuffer() throws {
    let registry = PluginRegistry(directories: [], encoder: nil, logger: Self.logger)
    let move = try #require(registry.operation("move-along-axes"))
    #expect(move.outputCapacity(inputCount: 64) == 64)
    let axis = OperationAxis(
      id: "a", direction: Self.unit(999), negativeMean: -0.2, positiveMean: 0.2)
    let inputs = (0..<64).map(Self.unit)
    let output = try registry.run(
      "move-along-axes", inputs: inputs, params: .object(["targets": .object(["a": .number(1)])]),
      axes: [axis])
    #expect(output.vectors.count == 64)
    for vector in output.vectors {
      let raw = VectorMath.dot(vector, axis.direction)
      #expect(abs(raw - 0.2) < 0.01)
    }
  }

  @Test func paramsThatAreNotAnObjectAreRefusedBeforeThePluginRuns() throws {
    let registry = PluginRegistry(directories: [], encoder: nil, logger: Self.logger)
    for params: JSONValue in [.string("x"), .number(5), .bool(true), .null, .array([])] {
      #expect(throws: OperationError.self) {
        try registry.run("mix", inputs: [Self.unit(1), Self.unit(2)], params: params, axes: [])
      }
    }
  }

  @Test func operationsThatBreakTheirBoundsAreRefusedAndDisabled() throws {
    let folder = try Self.buildTestPlugin(defines: [])
    let registry = PluginRegistry(directories: [folder], encoder: nil, logger: Self.logger)
    #expect(registry.operation("overrun") != nil)
    do {
      _ = try registry.run("overrun", inputs: [Self.unit(1)], params: .object([:]), axes: [])
      Issue.record("an overrun was accepted")
    } catch {
      #expect(error.description.contains("wrote past"))
    }
    #expect(registry.disabled.contains("test-overrun"))
    let second = PluginRegistry(directories: [folder], encoder: nil, logger: Self.logger)
    do {
      _ = try second.run("overcount", inputs: [Self.unit(1)], params: .object([:]), axes: [])
      Issue.record("an output count over the bound was accepted")
    } catch {
      #expect(error.description.contains("over its declared bound"))
    }
    let kinds = PluginRegistry(
      directories: [try Self.buildTestPlugin(defines: ["BADKIND"])], encoder: nil,
      logger: Self.logger)
    #expect(throws: OperationError.self) {
      try kinds.run("badkind", inputs: [Self.unit(1)], params: .object([:]), axes: [])
    }
    #expect(kinds.operation("badupdate")?.effect == .updatesInputs)
    do {
      _ = try kinds.run(
        "badupdate", inputs: [Self.unit(1), Self.unit(2)], params: .object([:]), axes: [])
      Issue.record("an update with fewer outputs than inputs was accepted")
    } catch {
      #expect(error.description.contains("updates its inputs"))
    }
  }

  @Test func operationsDeclareWhatTheirOutputsDo() throws {
    let registry = PluginRegistry(directories: [], encoder: nil, logger: Self.logger)
    #expect(registry.operation("move-along-axes")?.effect == .updatesInputs)
    #expect(registry.operation("mix")?.effect == .createsNodes(.mixed))
    #expect(registry.operation("blur")?.effect == .createsNodes(.sampled))
    #expect(registry.operation("analogy")?.effect == .createsNodes(.derived))
  }

  @Test func versionTwoPluginsKeepLoadingAndCreateDerivedNodes() throws {
    let folder = try Self.buildTestPlugin(defines: [], source: "slow.c")
    let registry = PluginRegistry(directories: [folder], encoder: nil, logger: Self.logger)
    let broken = try #require(registry.operation("broken"), "the v2 plugin loaded")
    #expect(broken.effect == .createsNodes(.derived))
    #expect(broken.outputCapacity(inputCount: 1) == 1)
    do {
      _ = try registry.run("broken", inputs: [Self.unit(1)], params: .object([:]), axes: [])
      Issue.record("broken succeeded")
    } catch {
      #expect(error.description.contains("always fails"), "the v2 call ran and reported")
    }
  }

  /// Compiles a test plugin of Tests/e2e/plugins against the ABI header into a fresh folder.
  static func buildTestPlugin(defines: [String], source: String = "overrun.c") throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("latitude-plugin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
      ["cc", "-shared", "-fPIC", "-I", root.path + "/Sources/CLatitudePlugin/include"]
      + defines.map { "-D" + $0 } + [
        "-o", folder.path + "/libtest.so", root.path + "/Tests/e2e/plugins/" + source,
      ]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return folder.path
  }
}
