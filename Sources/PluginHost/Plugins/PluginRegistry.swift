import CLatitudePlugin
import Canvas
import Foundation
import Latent
import Logging
import Synchronization

/// Loads plugins, native and WebAssembly, and runs their operations.
///
/// Loading: every `*.so` in the plugin folders (and the built-in ones beside the
/// executable) is dlopen'ed, its `latitude_plugin_v3` (or `_v2`) entry called with the host
/// table (`NativeLoader`); every `*.wasm` with its JSON manifest is parsed, its imports
/// checked and its description read in a sandbox (`WasmPluginModule`). Both are then checked
/// by the same rules: ABI version, names, schemas, duplicates. Each failure is a refusal
/// with a log line; the server keeps running.
///
/// Calls: a native call runs on a concurrent queue with a time limit; a call that overruns
/// has its result discarded, and a plugin that times out `disableAfterFailures` times in a
/// row is disabled. A WebAssembly call runs in a fresh instance under its fuel, memory and
/// output limits; a trap, an exhausted budget or a garbage result fails only that request,
/// and `disableAfterFailures` such faults in a row disable the plugin (log line and metric).
public final class PluginRegistry: Sendable {
  /// The loaded plugins.
  public let plugins: [LoadedPlugin]
  /// What was refused and why.
  public let refusals: [PluginLoadError]
  /// Time limit per call.
  public let timeout: Duration = .seconds(2)
  /// Consecutive timeouts (native) or faults (WebAssembly) that disable a plugin.
  public let disableAfterFailures = 3
  /// The sandbox limits of WebAssembly plugins (a manifest may only lower them).
  public let wasmLimits: WasmLimits
  /// What the host functions reach; kept alive by the registry (and so by every call).
  private let context: HostContext
  private let dimension: Int
  /// The host table for a call (its context pointer is this registry's `context`).
  var hostTable: latitude_host { HostFunctions.table(context: context, dimension: dimension) }
  private let logger: Logger
  /// Timeouts, faults and disabled plugins, shared by every call.
  private struct Health {
    var consecutiveFailures: [String: Int] = [:]
    var disabled: Set<String> = []
    var timeouts = 0
    var faults = 0
  }
  private let health = Mutex(Health())
  let queue = DispatchQueue(label: "latitude.plugins", attributes: .concurrent)

  /// Built-in plugins: shared libraries named libLatitude*.so beside the executable.
  public static var builtinDirectory: String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
      .path
  }

  /// Loads the built-in plugins (unless `builtins` is false), and every `*.so` and `*.wasm`
  /// in `directories`.
  public init(
    directories: [String], encoder: SentenceEncoder?, dimension: Int = 384,
    wasmLimits: WasmLimits = WasmLimits(), builtins: Bool = true, logger: Logger
  ) {
    self.logger = logger
    let context = HostContext(encoder: encoder, logger: logger)
    self.context = context
    self.dimension = dimension
    self.wasmLimits = wasmLimits
    let host = HostFunctions.table(context: context, dimension: dimension)
    var files: [String] = []
    if builtins {
      let found =
        (try? FileManager.default.contentsOfDirectory(atPath: Self.builtinDirectory)) ?? []
      files += found.filter { $0.hasPrefix("libLatitude") && $0.hasSuffix(".so") }.sorted().map {
        Self.builtinDirectory + "/" + $0
      }
    }
    for directory in directories {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
        logger.error("plugin folder \(directory) cannot be read")
        continue
      }
      files += entries.filter { $0.hasSuffix(".so") || $0.hasSuffix(".wasm") }.sorted().map {
        directory + "/" + $0
      }
    }
    var loaded: [LoadedPlugin] = []
    var refusals: [PluginLoadError] = []
    var names = Set<String>()
    for path in files {
      do {
        let plugin =
          path.hasSuffix(".wasm")
          ? try WasmPluginModule.load(
            path, context: context, dimension: dimension, limits: wasmLimits)
          : try NativeLoader.load(path, host: host)
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
            "runtime": "\(plugin.runtime.rawValue)",
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

  /// The loaded plugin with this name.
  public func plugin(_ name: String) -> LoadedPlugin? {
    plugins.first { $0.name == name }
  }

  /// The operation with this name, if loaded.
  public func operation(_ name: String) -> LoadedPlugin.Operation? {
    plugins.lazy.flatMap(\.operations).first { $0.name == name }
  }

  /// The axis provider with this name, if loaded.
  public func axisProvider(_ name: String) -> LoadedPlugin.AxisProvider? {
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

  /// WebAssembly calls that trapped, ran out of budget or returned garbage.
  public var faults: Int {
    health.withLock { $0.faults }
  }

  func recordTimeout(plugin: String, name: String) {
    let disable = recordFailure(plugin: plugin) { $0.timeouts += 1 }
    logger.warning("plugin call timed out", metadata: ["operation": "\(name)"])
    if disable {
      logger.error("plugin disabled after repeated timeouts", metadata: ["plugin": "\(plugin)"])
    }
  }

  /// A WebAssembly call failed by the plugin's fault (not by its own error return): counted,
  /// and `disableAfterFailures` in a row disable the plugin. Its sandbox is discarded, so
  /// nothing of the fault survives into the next call.
  func recordFault(plugin: String, name: String, reason: String) {
    let disable = recordFailure(plugin: plugin) { $0.faults += 1 }
    logger.warning(
      "plugin call faulted",
      metadata: ["plugin": "\(plugin)", "operation": "\(name)", "reason": "\(reason)"])
    if disable {
      logger.error("plugin disabled after repeated faults", metadata: ["plugin": "\(plugin)"])
    }
  }

  /// Counts one failure of `plugin`; true when it just crossed the disabling threshold.
  private func recordFailure(plugin: String, count: (inout Health) -> Void) -> Bool {
    health.withLock { health in
      count(&health)
      health.consecutiveFailures[plugin, default: 0] += 1
      return health.consecutiveFailures[plugin, default: 0] >= disableAfterFailures
        && health.disabled.insert(plugin).inserted
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
    health.withLock { $0.consecutiveFailures[plugin] = 0 }
  }

}
