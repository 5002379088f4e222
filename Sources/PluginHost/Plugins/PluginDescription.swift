import CLatitudePlugin
import Canvas
import Foundation

/// What a plugin described about itself, read out of its structs (native memory or a
/// WebAssembly module's linear memory) but not yet checked. Both loaders fill it in; one set
/// of rules (`checked`) decides whether it loads.
struct PluginDescription {
  /// One operation as described.
  struct Operation {
    var name: String?
    var description: String?
    var schema: String?
    var minInputs: UInt32
    var maxInputs: UInt32
    var hasEntry: Bool
    var maxOutputs: UInt32
    var maxOutputsPerInput: UInt32
    var effect: UInt32
    var origin: UInt32
  }

  /// One axis provider as described.
  struct AxisProvider {
    var name: String?
    var description: String?
    var schema: String?
    var hasEntry: Bool
  }

  var name: String?
  var version: String?
  var operations: [Operation]
  var axisProviders: [AxisProvider]

  /// The most operations (and axis providers) one plugin may describe.
  static let maxEntries: UInt32 = 256

  /// The plugin these describe, with each entry's way in from `operationEntry` and
  /// `providerEntry` (called with the index of each entry).
  /// - Throws: `PluginLoadError.invalid` naming the first rule broken.
  func checked(
    path: String, runtime: PluginRuntime,
    operationEntry: (Int) -> LoadedPlugin.Operation.Entry?,
    providerEntry: (Int) -> LoadedPlugin.AxisProvider.Entry?
  ) throws(PluginLoadError) -> LoadedPlugin {
    func invalid(_ detail: String) -> PluginLoadError { .invalid(path: path, detail: detail) }
    guard let name else { throw invalid("name is NULL") }
    guard LoadedPlugin.isValidName(name) else {
      throw invalid("name '\(name)' must be [a-z0-9-]{1,64}")
    }
    guard let version else { throw invalid("version is NULL") }
    var loaded: [LoadedPlugin.Operation] = []
    for (index, c) in operations.enumerated() {
      let opName = c.name ?? "#\(index)"
      guard c.name.map(LoadedPlugin.isValidName) == true, c.hasEntry, c.minInputs >= 1,
        c.maxInputs >= c.minInputs, let entry = operationEntry(index)
      else { throw invalid("operation '\(opName)' needs a valid name, run and input range") }
      let schema = try Self.schema(c.schema, of: opName, path: path)
      guard let effect = Self.effect(c.effect, origin: c.origin) else {
        throw invalid("operation '\(opName)' declares an unknown effect or origin")
      }
      let operation = LoadedPlugin.Operation(
        name: opName, description: c.description ?? "", paramsSchema: schema,
        inputs: Int(c.minInputs)...Int(c.maxInputs), maxOutputs: Int(c.maxOutputs),
        maxOutputsPerInput: Int(c.maxOutputsPerInput), effect: effect, entry: entry, plugin: name)
      guard operation.outputCapacity(inputCount: Int(c.minInputs)) >= 1 else {
        throw invalid(
          "operation '\(opName)' declares no outputs (max_outputs, max_outputs_per_input)")
      }
      // Bounds are linear in the input count, so both ends of the range decide.
      if effect == .updatesInputs,
        [operation.inputs.lowerBound, operation.inputs.upperBound].contains(where: {
          operation.outputCapacity(inputCount: $0) < $0
        })
      {
        throw invalid(
          "operation '\(opName)' updates its inputs but declares fewer outputs than inputs")
      }
      loaded.append(operation)
    }
    var providers: [LoadedPlugin.AxisProvider] = []
    for (index, c) in axisProviders.enumerated() {
      let providerName = c.name ?? "#\(index)"
      guard c.name.map(LoadedPlugin.isValidName) == true, c.hasEntry,
        let entry = providerEntry(index)
      else { throw invalid("axis provider '\(providerName)' needs a valid name and function") }
      let schema = try Self.schema(c.schema, of: providerName, path: path)
      providers.append(
        LoadedPlugin.AxisProvider(
          name: providerName, description: c.description ?? "", paramsSchema: schema,
          entry: entry, plugin: name))
    }
    return LoadedPlugin(
      name: name, version: version, path: path, runtime: runtime, operations: loaded,
      axisProviders: providers)
  }

  private static func schema(_ text: String?, of name: String, path: String) throws(PluginLoadError)
    -> JSONValue
  {
    guard let text,
      let schema = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
      case .object = schema
    else { throw .invalid(path: path, detail: "schema of '\(name)' is not a JSON object") }
    return schema
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

}

extension LoadedPlugin {
  /// Whether a plugin, operation or provider name is `[a-z0-9-]{1,64}` (the rule plugins
  /// are loaded by, and the one a plugin policy's entries follow).
  public static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name.count <= 64
      && name.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
      }
  }
}
