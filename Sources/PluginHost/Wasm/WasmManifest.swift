import Foundation

/// The JSON manifest beside a WebAssembly plugin (`NAME.json` next to `NAME.wasm`): who it
/// says it is, and the limits it asks for (lower than the server's, or the server's).
///
///     {"name": "example-extrapolate", "version": "0.1.0",
///      "limits": {"memory_pages": 64, "fuel": 100000000}}
///
/// The plugin's own description must agree with `name` and `version`.
struct WasmManifest: Decodable, Equatable {
  /// Lower limits a plugin may ask for.
  struct Limits: Decodable, Equatable {
    var memoryPages: Int?
    var fuel: UInt64?
    enum CodingKeys: String, CodingKey {
      case memoryPages = "memory_pages"
      case fuel
    }
  }

  var name: String
  var version: String
  var limits: Limits?

  /// The manifest of the module at `wasmPath`.
  /// - Throws: `PluginLoadError.invalid` saying what is missing or wrong.
  static func load(for wasmPath: String) throws(PluginLoadError) -> WasmManifest {
    let path = String(wasmPath.dropLast(".wasm".count)) + ".json"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .invalid(
        path: wasmPath,
        detail: "a WebAssembly plugin needs its manifest \(path) ({\"name\", \"version\"})")
    }
    do {
      let manifest = try JSONDecoder().decode(WasmManifest.self, from: data)
      if let pages = manifest.limits?.memoryPages, pages < 1 {
        throw PluginLoadError.invalid(path: path, detail: "limits.memory_pages must be ≥ 1")
      }
      return manifest
    } catch let error as PluginLoadError {
      throw error
    } catch {
      throw .invalid(path: path, detail: "manifest is not valid: \(error)")
    }
  }
}
