import Foundation
@_spi(Fuzzing) import WasmKit

/// A parsed WebAssembly plugin: the module, its limits and what its calls reach. Every call
/// runs in a fresh instance (`WasmPluginInstance`), so no state survives from one call to
/// the next: the same request gives the same result, a trap leaves nothing behind, and
/// calls on several threads share nothing but this immutable value.
public final class WasmPluginModule: Sendable {
  let module: Module
  /// The file it was loaded from.
  public let path: String
  /// The plugin's name (from its manifest, checked against its description).
  public let name: String
  /// The limits its calls run under.
  public let limits: WasmLimits
  let dimension: Int
  let context: HostContext

  /// Largest module file accepted.
  static let maxModuleBytes = 16 << 20
  /// Entry points the glue (`Plugins/wasm-sdk/latitude_wasm.c`) exports.
  static let entryPoints = [
    "latitude_wasm_glue_version", "latitude_wasm_init", "latitude_wasm_alloc",
    "latitude_wasm_run", "latitude_wasm_axis",
  ]
  /// The glue version this host speaks.
  static let glueVersion: UInt32 = 1

  private init(
    module: Module, path: String, name: String, limits: WasmLimits, dimension: Int,
    context: HostContext
  ) {
    self.module = module
    self.path = path
    self.name = name
    self.limits = limits
    self.dimension = dimension
    self.context = context
  }

  /// Loads the plugin at `path` (a `.wasm` with its `.json` manifest): parses it, checks its
  /// imports and exports, runs its entry once in a sandbox to read its description, and
  /// checks that by the same rules as a native plugin's.
  /// - Throws: `PluginLoadError` saying why it was refused.
  static func load(_ path: String, context: HostContext, dimension: Int, limits: WasmLimits)
    throws(PluginLoadError) -> LoadedPlugin
  {
    let manifest = try WasmManifest.load(for: path)
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let size = attributes[.size] as? Int, size <= maxModuleBytes,
      let bytes = FileManager.default.contents(atPath: path)
    else {
      throw .cannotOpen(path: path, reason: "unreadable, or larger than \(maxModuleBytes) bytes")
    }
    let module: Module
    do {
      module = try parseWasm(bytes: Array(bytes))
    } catch {
      throw .cannotOpen(path: path, reason: "not a valid WebAssembly module: \(error)")
    }
    for entry in module.imports {
      guard case .function = entry.descriptor,
        WasmHostImports.allowed[entry.module]?.contains(entry.name) == true
      else {
        throw .invalid(
          path: path,
          detail: "imports \(entry.module).\(entry.name), which a Latitude WebAssembly plugin"
            + " may not use (only the host functions; no clock, entropy, files or network)")
      }
    }
    let exported = Set(module.exports.map(\.name))
    if let missing = (entryPoints + ["memory"]).first(where: { !exported.contains($0) }) {
      throw .missingEntry(path: path + " (no export '\(missing)': link it with latitude_wasm.c)")
    }
    let plugin = WasmPluginModule(
      module: module, path: path, name: manifest.name, limits: limits.lowered(by: manifest.limits),
      dimension: dimension, context: context)
    return try plugin.describe(manifest: manifest)
  }

  /// Runs the plugin's entry in a fresh instance and checks what it describes.
  private func describe(manifest: WasmManifest) throws(PluginLoadError) -> LoadedPlugin {
    let description: PluginDescription
    do {
      let instance = try WasmPluginInstance(self)
      guard try instance.call("latitude_wasm_glue_version").first == Self.glueVersion else {
        throw PluginLoadError.invalid(
          path: path, detail: "built with another latitude_wasm.c (glue version)")
      }
      guard let pointer = try instance.call("latitude_wasm_init", [UInt32(dimension)]).first,
        pointer != 0
      else { throw PluginLoadError.refusedByPlugin(path: path) }
      description = try WasmDescriptionReader(memory: instance.memory).plugin(at: pointer)
    } catch let error as PluginLoadError {
      throw error
    } catch {
      throw .invalid(path: path, detail: "its entry failed: \(error)")
    }
    guard description.name == manifest.name, description.version == manifest.version else {
      throw .invalid(
        path: path,
        detail: "describes itself as \(description.name ?? "?") \(description.version ?? "?")"
          + " but its manifest says \(manifest.name) \(manifest.version)")
    }
    return try description.checked(
      path: path, runtime: .webAssembly,
      operationEntry: { .webAssembly(self, index: UInt32($0)) },
      providerEntry: { .webAssembly(self, index: UInt32($0)) })
  }
}

/// One sandboxed instance of a plugin: its own store (fuel), memory limiter and host
/// functions. Used for one call on one thread, then dropped.
final class WasmPluginInstance {
  let store: Store
  let instance: Instance
  let memory: GuestMemory
  let state: WasmCallState
  let limits: WasmLimits

  /// Instantiates `plugin` with its limits: fuel for the whole call is set before the
  /// module's start-up code runs, and memory larger than the limit at start is refused.
  init(_ plugin: WasmPluginModule) throws {
    limits = plugin.limits
    let engine = Engine(
      configuration: EngineConfiguration(memoryBoundsChecking: .software, fuelMetering: true))
    store = Store(engine: engine)
    store.resourceLimiter = WasmMemoryLimiter(maxBytes: limits.memoryBytes)
    store.fuel = Fuel(remaining: limits.fuel)
    state = WasmCallState(context: plugin.context, limits: limits, plugin: plugin.name)
    let imports = WasmHostImports.imports(
      store: store, state: state, dimension: plugin.dimension)
    instance = try plugin.module.instantiate(store: store, imports: imports)
    guard let exported = instance.exports[memory: "memory"] else {
      throw WasmFault("exports no memory")
    }
    guard exported.byteCount <= limits.memoryBytes else {
      throw WasmFault(
        "starts with \(exported.byteCount / 65_536) pages of memory, over its limit of"
          + " \(limits.memoryPages)")
    }
    memory = GuestMemory(memory: exported)
    state.memory = memory
    if instance.exports[function: "_initialize"] != nil { _ = try call("_initialize") }
  }

  /// Calls an exported function with i32 arguments; returns its i32 results.
  /// - Throws: `WasmFault` for a trap, an exhausted budget or a host-function fault.
  func call(_ name: String, _ arguments: [UInt32] = []) throws(WasmFault) -> [UInt32] {
    guard let function = instance.exports[function: name] else {
      throw WasmFault("exports no function '\(name)'")
    }
    let results: [Value]
    do {
      results = try function(arguments.map { .i32($0) })
    } catch {
      throw .trapped(error, fuel: limits.fuel)
    }
    return try results.map { value throws(WasmFault) in try WasmHostImports.word(value) }
  }
}
