import Foundation
import Testing

/// Builds WebAssembly test plugins with scripts/build-wasm-plugin.sh (the same script
/// authors use), each with its manifest, into a fresh folder.
enum WasmFixtures {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// One plugin per entry: (output name, source relative to the repository, clang flags,
  /// manifest name or nil for none).
  struct Build {
    var file: String
    var source: String
    var flags: [String] = []
    var manifestName: String?
    var version = "1.0.0"
  }

  /// Builds `plugins` into a new folder and returns it.
  static func folder(_ plugins: [Build]) throws -> String {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("latitude-wasm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for plugin in plugins {
      let out = folder.appendingPathComponent(plugin.file + ".wasm").path
      let process = Process()
      process.executableURL = URL(fileURLWithPath: root.path + "/scripts/build-wasm-plugin.sh")
      process.arguments = [out, root.path + "/" + plugin.source] + ["--"] + plugin.flags
      try process.run()
      process.waitUntilExit()
      try #require(
        process.terminationStatus == 0, "building \(plugin.file).wasm (needs make wasm-deps)")
      if let name = plugin.manifestName {
        let manifest = "{\"name\": \"\(name)\", \"version\": \"\(plugin.version)\"}"
        try manifest.write(
          to: folder.appendingPathComponent(plugin.file + ".json"), atomically: true,
          encoding: .utf8)
      }
    }
    return folder.path
  }

  /// The hostile cases of Tests/Fixtures/wasm-hostile/hostile.c and what each must be
  /// refused for (a fragment of the reason).
  static let hostileCases: [(name: String, reason: String)] = [
    ("loop", "instruction budget"),
    ("oob-write", "out of bounds memory access"),
    ("huge-alloc", "memory.grow refused at 64 pages, malloc(1 GiB) returned NULL"),
    ("too-many-outputs", "over its declared bound"),
    ("nan", "no usable vectors"),
    ("trap", "unreachable"),
    ("recurse", "call stack exhausted"),
    ("host-oob", "outside its memory"),
    ("host-count", "passed a count"),
    ("encode-flood", "no usable vectors"),
    ("overrun", "wrote past the buffers"),
    ("bad-kind", "unknown output kind"),
    ("exit", "called exit(3)"),
    ("div-zero", "integer divide by zero"),
    ("redirect", "no usable vectors"),
    ("unterminated", "not NUL-terminated"),
    ("reenter", "call stack exhausted"),
  ]

  /// Every hostile case as its own plugin, named hostile-<case>.
  static var hostileBuilds: [Build] {
    hostileCases.map { hostile in
      let macro = "CASE_" + hostile.name.uppercased().replacingOccurrences(of: "-", with: "_")
      return Build(
        file: "hostile-" + hostile.name, source: "Tests/Fixtures/wasm-hostile/hostile.c",
        flags: ["-D" + macro, "-DNAME=\"hostile-\(hostile.name)\""],
        manifestName: "hostile-" + hostile.name)
    }
  }
}
