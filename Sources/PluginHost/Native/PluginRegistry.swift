import CLatitudePlugin
import Canvas
import Foundation
import Latent
import Logging
import Synchronization

/// Loads native plugins and runs their operations.
///
/// Loading: every `*.so` in the plugin folders (and the built-in ones beside the
/// executable) is dlopen'ed, its `latitude_plugin_v3` (or `_v2`) entry called with the host table, and
/// the result checked: ABI version, names, schemas, duplicates. Each failure is a refusal
/// with a log line; the server keeps running. Libraries are never dlclose'd.
///
/// Calls: each runs on a concurrent queue with a time limit. An error fails only that
/// request; a call that overruns has its result discarded, and a plugin that times out
/// `disableAfterTimeouts` times in a row is disabled (log line and metric).
public final class PluginRegistry: Sendable {
  /// The loaded plugins.
  public let plugins: [NativePlugin]
  /// What was refused and why.
  public let refusals: [PluginLoadError]
  /// Time limit per call.
  public let timeout: Duration = .seconds(2)
  /// Consecutive timeouts that disable a plugin.
  public let disableAfterTimeouts = 3
  /// What the host functions reach; kept alive by the registry (and so by every call).
  private let context: HostContext
  private let dimension: Int
  /// The host table for a call (its context pointer is this registry's `context`).
  var hostTable: latitude_host { HostFunctions.table(context: context, dimension: dimension) }
  private let logger: Logger
  /// Timeouts and disabled plugins, shared by every call.
  private struct Health {
    var consecutiveTimeouts: [String: Int] = [:]
    var disabled: Set<String> = []
    var timeouts = 0
  }
  private let health = Mutex(Health())
  let queue = DispatchQueue(label: "latitude.plugins", attributes: .concurrent)

  /// Built-in plugins: shared libraries named libLatitude*.so beside the executable.
  public static var builtinDirectory: String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
      .path
  }

  /// Loads the built-in plugins and every `*.so` in `directories`.
  public init(
    directories: [String], encoder: SentenceEncoder?, dimension: Int = 384, logger: Logger
  ) {
    self.logger = logger
    let context = HostContext(encoder: encoder, logger: logger)
    self.context = context
    self.dimension = dimension
    let host = HostFunctions.table(context: context, dimension: dimension)
    var files: [String] = []
    let builtins =
      (try? FileManager.default.contentsOfDirectory(atPath: Self.builtinDirectory)) ?? []
    files += builtins.filter { $0.hasPrefix("libLatitude") && $0.hasSuffix(".so") }.sorted().map {
      Self.builtinDirectory + "/" + $0
    }
    for directory in directories {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
        logger.error("plugin folder \(directory) cannot be read")
        continue
      }
      files += entries.filter { $0.hasSuffix(".so") }.sorted().map { directory + "/" + $0 }
    }
    var loaded: [NativePlugin] = []
    var refusals: [PluginLoadError] = []
    var names = Set<String>()
    for path in files {
      do {
        let plugin = try Self.load(path, host: host)
        let declared =
          [plugin.name] + plugin.operations.map(\.name) + plugin.axisProviders.map(\.name)
        for name in declared where names.contains(name) {
          throw PluginLoadError.duplicate(name: name, path: path)
        }
        names.formUnion(declared)
        loaded.append(plugin)
        logger.info(
          "plugin loaded",
          metadata: [
            "plugin": "\(plugin.name)", "version": "\(plugin.version)", "path": "\(path)",
            "operations": "\(plugin.operations.map(\.name).joined(separator: ","))",
          ])
      } catch let error as PluginLoadError {
        refusals.append(error)
        logger.error("plugin refused", metadata: ["reason": "\(error)"])
      } catch {
        refusals.append(.invalid(path: path, detail: "\(error)"))
      }
    }
    plugins = loaded
    self.refusals = refusals
  }

  /// The operation with this name, if loaded.
  public func operation(_ name: String) -> NativePlugin.Operation? {
    plugins.lazy.flatMap(\.operations).first { $0.name == name }
  }

  /// The axis provider with this name, if loaded.
  public func axisProvider(_ name: String) -> NativePlugin.AxisProvider? {
    plugins.lazy.flatMap(\.axisProviders).first { $0.name == name }
  }

  /// Plugins disabled for timing out.
  public var disabled: Set<String> {
    health.withLock { $0.disabled }
  }

  /// Calls that overran their time limit.
  public var timeouts: Int {
    health.withLock { $0.timeouts }
  }

  func recordTimeout(plugin: String, name: String) {
    let disable = health.withLock { health in
      health.timeouts += 1
      health.consecutiveTimeouts[plugin, default: 0] += 1
      return health.consecutiveTimeouts[plugin, default: 0] >= disableAfterTimeouts
        && health.disabled.insert(plugin).inserted
    }
    logger.warning("plugin call timed out", metadata: ["operation": "\(name)"])
    if disable {
      logger.error("plugin disabled after repeated timeouts", metadata: ["plugin": "\(plugin)"])
    }
  }

  /// A plugin broke the ABI (wrote past its buffers, or more outputs than it declared):
  /// its memory may be corrupt, so it is disabled at once.
  func recordMisbehaviour(plugin: String, name: String) {
    let disable = health.withLock { $0.disabled.insert(plugin).inserted }
    logger.error(
      "plugin broke its declared bounds", metadata: ["plugin": "\(plugin)", "operation": "\(name)"])
    if disable { logger.error("plugin disabled", metadata: ["plugin": "\(plugin)"]) }
  }

  func recordSuccess(plugin: String) {
    health.withLock { $0.consecutiveTimeouts[plugin] = 0 }
  }

  private static func load(_ path: String, host: latitude_host) throws -> NativePlugin {
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      throw PluginLoadError.cannotOpen(path: path, reason: String(cString: dlerror()))
    }
    // Never dlclose'd: code from the image may still be referenced.
    let version: UInt32
    let symbol: UnsafeMutableRawPointer
    if let found = dlsym(handle, "latitude_plugin_v3") {
      (version, symbol) = (3, found)
    } else if let found = dlsym(handle, "latitude_plugin_v2") {
      (version, symbol) = (2, found)
    } else if dlsym(handle, "latitude_plugin_v1") != nil {
      // A version 1 plugin cannot declare its output bound, so the host cannot size it.
      throw PluginLoadError.abiMismatch(path: path, version: 1)
    } else {
      throw PluginLoadError.missingEntry(path: path)
    }
    let entry = unsafeBitCast(symbol, to: latitude_plugin_entry.self)
    // The table says the version the plugin was built for (older plugins check it).
    var table = host
    table.abi_version = version
    guard let described = withUnsafePointer(to: &table, { entry($0) }) else {
      throw PluginLoadError.refusedByPlugin(path: path)
    }
    let plugin = described.pointee
    guard plugin.abi_version == version else {
      throw PluginLoadError.abiMismatch(path: path, version: plugin.abi_version)
    }
    func text(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> String {
      guard let pointer else {
        throw PluginLoadError.invalid(path: path, detail: "\(what) is NULL")
      }
      return String(cString: pointer)
    }
    let name = try text(plugin.name, "name")
    guard Self.isValidName(name) else {
      throw PluginLoadError.invalid(path: path, detail: "name '\(name)' must be [a-z0-9-]{1,64}")
    }
    // Counts come from the plugin: bounded before anything is read through them.
    guard plugin.operation_count <= Self.maxEntries, plugin.axis_provider_count <= Self.maxEntries
    else {
      throw PluginLoadError.invalid(
        path: path, detail: "more than \(Self.maxEntries) operations or axis providers")
    }
    var operations: [NativePlugin.Operation] = []
    for index in 0..<Int(plugin.operation_count) {
      guard let c = Self.operation(plugin.operations, at: index, version: version) else { break }
      let opName = try text(c.name, "operation \(index) name")
      guard Self.isValidName(opName), let run = c.run, c.min_inputs >= 1,
        c.max_inputs >= c.min_inputs
      else {
        throw PluginLoadError.invalid(
          path: path, detail: "operation '\(opName)' needs a valid name, run and input range")
      }
      let schemaText = try text(c.params_schema, "schema of \(opName)")
      guard let schema = try? JSONDecoder().decode(JSONValue.self, from: Data(schemaText.utf8)),
        case .object = schema
      else {
        throw PluginLoadError.invalid(
          path: path, detail: "schema of '\(opName)' is not a JSON object")
      }
      guard let effect = Self.effect(c.effect, origin: c.created_origin) else {
        throw PluginLoadError.invalid(
          path: path, detail: "operation '\(opName)' declares an unknown effect or origin")
      }
      let operation = NativePlugin.Operation(
        name: opName, description: (try? text(c.description, "")) ?? "", paramsSchema: schema,
        inputs: Int(c.min_inputs)...Int(c.max_inputs), maxOutputs: Int(c.max_outputs),
        maxOutputsPerInput: Int(c.max_outputs_per_input), effect: effect, abiVersion: version,
        run: run, plugin: name)
      guard operation.outputCapacity(inputCount: Int(c.min_inputs)) >= 1 else {
        throw PluginLoadError.invalid(
          path: path,
          detail: "operation '\(opName)' declares no outputs (max_outputs, max_outputs_per_input)")
      }
      // Bounds are linear in the input count, so both ends of the range decide.
      if effect == .updatesInputs,
        [operation.inputs.lowerBound, operation.inputs.upperBound].contains(where: {
          operation.outputCapacity(inputCount: $0) < $0
        })
      {
        throw PluginLoadError.invalid(
          path: path,
          detail: "operation '\(opName)' updates its inputs but declares fewer outputs than inputs")
      }
      operations.append(operation)
    }
    var providers: [NativePlugin.AxisProvider] = []
    for index in 0..<Int(plugin.axis_provider_count) {
      guard let c = plugin.axis_providers?[index] else { break }
      let providerName = try text(c.name, "axis provider \(index) name")
      guard Self.isValidName(providerName), let direction = c.direction else {
        throw PluginLoadError.invalid(
          path: path, detail: "axis provider '\(providerName)' needs a valid name and function")
      }
      let schemaText = try text(c.params_schema, "schema of \(providerName)")
      guard let schema = try? JSONDecoder().decode(JSONValue.self, from: Data(schemaText.utf8)),
        case .object = schema
      else {
        throw PluginLoadError.invalid(
          path: path, detail: "schema of '\(providerName)' is not a JSON object")
      }
      providers.append(
        NativePlugin.AxisProvider(
          name: providerName, description: (try? text(c.description, "")) ?? "",
          paramsSchema: schema, direction: direction, plugin: name))
    }
    return NativePlugin(
      name: name, version: try text(plugin.version, "version"), path: path,
      operations: operations, axisProviders: providers)
  }

  /// Operation `index` of a plugin's array, read with the layout of its ABI version (a
  /// version 2 operation has no effect fields: it creates nodes of origin "derived").
  private static func operation(
    _ base: UnsafePointer<latitude_operation>?, at index: Int, version: UInt32
  ) -> latitude_operation? {
    guard let base else { return nil }
    guard version == 2 else { return base[index] }
    let old = UnsafeRawPointer(base).assumingMemoryBound(to: latitude_operation_v2.self)[index]
    return latitude_operation(
      name: old.name, description: old.description, params_schema: old.params_schema,
      min_inputs: old.min_inputs, max_inputs: old.max_inputs, run: old.run,
      max_outputs: old.max_outputs, max_outputs_per_input: old.max_outputs_per_input,
      effect: UInt32(LATITUDE_EFFECT_CREATE_NODES), created_origin: UInt32(LATITUDE_ORIGIN_DERIVED))
  }

  /// The declared effect, or nil for values this host does not know.
  private static func effect(_ effect: UInt32, origin: UInt32) -> Effect? {
    switch (Int(effect), Int(origin)) {
    case (Int(LATITUDE_EFFECT_UPDATE_INPUTS), _): .updatesInputs
    case (Int(LATITUDE_EFFECT_CREATE_NODES), Int(LATITUDE_ORIGIN_DERIVED)): .createsNodes(.derived)
    case (Int(LATITUDE_EFFECT_CREATE_NODES), Int(LATITUDE_ORIGIN_MIXED)): .createsNodes(.mixed)
    case (Int(LATITUDE_EFFECT_CREATE_NODES), Int(LATITUDE_ORIGIN_SAMPLED)): .createsNodes(.sampled)
    default: nil
    }
  }

  /// The most operations (and axis providers) one plugin may describe.
  static let maxEntries: UInt32 = 256

  static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name.count <= 64
      && name.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
      }
  }
}
