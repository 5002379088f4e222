import CLatitudePlugin
import Canvas
import Foundation

/// How a plugin runs: inside the server process, or in the WebAssembly sandbox.
public enum PluginRuntime: String, Sendable, Equatable, Codable {
  /// A shared library loaded into the process: trusted, fastest, unconfined.
  case native
  /// A WebAssembly module run by the host's interpreter: memory, instructions and outputs
  /// bounded by the host; it cannot reach the process.
  case webAssembly = "wasm"
}

/// A loaded plugin, native or WebAssembly: its description, copied out of what it returned.
public struct LoadedPlugin: Sendable {
  /// One operation.
  public struct Operation: Sendable {
    /// Unique name.
    public var name: String
    /// What it does.
    public var description: String
    /// JSON Schema of its params.
    public var paramsSchema: JSONValue
    /// Inputs it accepts.
    public var inputs: ClosedRange<Int>
    /// Its declared output bound: `maxOutputs + maxOutputsPerInput × inputs`.
    public var maxOutputs: Int
    /// See `maxOutputs`.
    public var maxOutputsPerInput: Int
    /// What its node outputs do.
    public var effect: Effect
    /// How the host calls it.
    let entry: Entry
    /// The plugin it belongs to.
    public var plugin: String

    /// How the host reaches an operation.
    enum Entry: Sendable {
      /// A C function (and the ABI version its host table must say).
      case native(
        @convention(c) (
          UnsafePointer<latitude_host>?, UnsafePointer<latitude_op_request>?,
          UnsafeMutablePointer<latitude_op_result>?
        ) -> Int32, abiVersion: UInt32)
      /// Operation `index` of a WebAssembly module.
      case webAssembly(WasmPluginModule, index: UInt32)
    }

    /// The outputs one call on `inputCount` inputs may write, as declared, capped at
    /// `LATITUDE_MAX_OUTPUTS_PER_CALL`; saturating, so no declaration can overflow it.
    public func outputCapacity(inputCount: Int) -> Int {
      let (perInput, overflowA) = maxOutputsPerInput.multipliedReportingOverflow(by: inputCount)
      let (total, overflowB) = maxOutputs.addingReportingOverflow(perInput)
      let cap = Int(LATITUDE_MAX_OUTPUTS_PER_CALL)
      return overflowA || overflowB ? cap : min(total, cap)
    }
  }

  /// The plugin's name.
  public var name: String
  /// Its version.
  public var version: String
  /// The file it was loaded from.
  public var path: String
  /// How it runs.
  public var runtime: PluginRuntime
  /// Its operations.
  public var operations: [Operation]
  /// Its axis providers.
  public var axisProviders: [AxisProvider]

  /// One axis provider.
  public struct AxisProvider: Sendable {
    /// Unique name (axis.create's `provider`).
    public var name: String
    /// What it does.
    public var description: String
    /// JSON Schema of its params.
    public var paramsSchema: JSONValue
    /// How the host calls it.
    let entry: Entry
    /// The plugin it belongs to.
    public var plugin: String

    /// How the host reaches an axis provider.
    enum Entry: Sendable {
      /// A C function.
      case native(
        @convention(c) (
          UnsafePointer<latitude_host>?, UnsafePointer<CChar>?, UnsafeMutablePointer<Float>?,
          UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<CChar>?,
          UInt32
        ) -> Int32)
      /// Axis provider `index` of a WebAssembly module.
      case webAssembly(WasmPluginModule, index: UInt32)
    }
  }
}

/// What an operation's node outputs do, as it declares at load (ABI v3 `effect`).
public enum Effect: Sendable, Equatable {
  /// Each output is a new node of this origin.
  case createsNodes(NodeOrigin.Kind)
  /// Output i is the new latent of input i (one output per input).
  case updatesInputs
}

/// Why a plugin was refused.
public enum PluginLoadError: Error, Equatable, CustomStringConvertible {
  case cannotOpen(path: String, reason: String)
  case missingEntry(path: String)
  case refusedByPlugin(path: String)
  case abiMismatch(path: String, version: UInt32)
  case invalid(path: String, detail: String)
  case duplicate(name: String, path: String)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason): "cannot load plugin \(path): \(reason)"
    case .missingEntry(let path):
      "\(path) has no latitude_plugin_v3 entry (is it a Latitude plugin?)"
    case .refusedByPlugin(let path): "plugin \(path) refused to load (see its log line)"
    case .abiMismatch(let path, let version):
      "plugin \(path) speaks ABI \(version); this host speaks \(LATITUDE_PLUGIN_ABI_VERSION)"
        + " (rebuild it against latitude_plugin.h and declare each operation's output bound)"
    case .invalid(let path, let detail): "plugin \(path) is invalid: \(detail)"
    case .duplicate(let name, let path): "plugin \(path): '\(name)' is already registered"
    }
  }
}
