import Canvas
import Foundation
import Latent
import PluginHost

/// What the room core asks of the world when it resolves a client's op (`RoomServices`):
/// the encoder, plugin operations, and axes created live. An axis.create without a
/// direction is computed here, either from example sentences per pole (`params.examples`),
/// from a loaded axis pack (`provider: "pack"`, `params.axis`), or from a plugin's axis
/// provider. The direction and calibration are stored in the op, so replay never needs the
/// encoder, the pack or the plugin.
extension Room: RoomServices {
  /// Examples per pole accepted in a live axis.create (encoding them holds the room).
  static let maxLiveExamplesPerPole = 64
  /// Characters of example text, both poles together, in a live axis.create.
  static let maxLiveExampleCharacters = 16_000

  /// An axis for a draft without a direction: from a plugin's axis provider, a loaded
  /// pack (`provider: "pack"`), or example sentences per pole (the default).
  func buildAxis(_ draft: ClientOpPayload.AxisDraft, params: JSONValue) throws(ProtocolError)
    -> BuiltAxis
  {
    let provider = draft.provider ?? "examples"
    if let plugins, plugins.axisProvider(provider) != nil {
      return try axisFromPlugin(provider, draft: draft, params: params, plugins: plugins)
    }
    if provider == "feature" {
      return try axisFromFeature(draft, params: params)
    }
    if provider == "pack" {
      guard case .string(let name)? = params["axis"] else {
        throw .malformed("a pack axis needs params.axis")
      }
      guard let found = axes?.axis(name) else {
        throw .unknownAxis(
          "no pack axis '\(name)'; loaded: \(axes?.axes.map(\.id).joined(separator: ", ") ?? "none")"
        )
      }
      return found
    }
    return try axisFromExamples(draft, params: params)
  }

  /// The embedding of a typed text.
  func embed(_ text: String) throws(ProtocolError) -> LatentVector {
    guard let encoder else { throw .unavailable("this server runs without an encoder") }
    do {
      try OpValidator().checkText(text, field: "text")
    } catch {
      throw .invalid(error)
    }
    return LatentVector(encoder.encode(text))
  }

  /// Runs a plugin operation (see `RoomServices`).
  func runOperation(
    _ name: String, inputs: [[Float]], params: JSONValue, axes: [OperationAxis]
  ) throws(ProtocolError) -> OperationRun {
    if name == Self.steerOperation, plugins?.operation(name) == nil {
      return try steer(inputs: inputs, params: params)
    }
    guard let plugins else { throw .unavailable("this server has no plugins loaded") }
    do {
      let output = try plugins.run(name, inputs: inputs, params: params, axes: axes)
      let operation = plugins.operation(name)
      // The log names the plugin with its version: which build produced this result.
      let plugin = operation.flatMap { plugins.plugin($0.plugin) }
      return OperationRun(
        output: output, plugin: plugin.map { "\($0.name)@\($0.version)" } ?? "unknown",
        effect: operation?.effect ?? .createsNodes(.derived))
    } catch {
      throw .operation(error)
    }
  }

  private func axisFromPlugin(
    _ provider: String, draft: ClientOpPayload.AxisDraft, params: JSONValue,
    plugins: PluginRegistry
  ) throws(ProtocolError) -> BuiltAxis {
    guard case .object = params else { throw .malformed("params must be a JSON object") }
    do {
      let result = try plugins.axis(from: provider, params: params)
      return BuiltAxis(
        id: draft.axis.rawValue, name: draft.name ?? provider,
        poles: draft.poles ?? AxisPoles(negative: "−", positive: "+"),
        direction: result.direction,
        calibration: AxisCalibration(
          negativeMean: result.negativeMean, positiveMean: result.positiveMean),
        pack: "plugin", version: "", source: provider)
    } catch {
      throw .invalidAxis(error.description)
    }
  }

  private func axisFromExamples(_ draft: ClientOpPayload.AxisDraft, params: JSONValue)
    throws(ProtocolError) -> BuiltAxis
  {
    guard let encoder else { throw .unavailable("this server runs without an encoder") }
    guard case .object(let examples)? = params["examples"] else {
      throw .malformed("axis.create needs a direction, params.examples, or provider \"pack\"")
    }
    func pole(_ name: String) throws(ProtocolError) -> [AxisDefinition.Example] {
      guard case .array(let list)? = examples[name], !list.isEmpty,
        list.count <= Self.maxLiveExamplesPerPole
      else {
        throw .malformed(
          "params.examples.\(name) needs 1–\(Self.maxLiveExamplesPerPole) sentences")
      }
      var result: [AxisDefinition.Example] = []
      for item in list {
        switch item {
        case .string(let text):
          result.append(AxisDefinition.Example(text: text, weight: nil))
        case .object(let fields):
          guard case .string(let text)? = fields["text"] else {
            throw .malformed(#"examples are strings or {"text", "weight"} objects"#)
          }
          var weight: Float?
          if case .number(let value)? = fields["weight"] { weight = Float(value) }
          result.append(AxisDefinition.Example(text: text, weight: weight))
        default:
          throw .malformed(#"examples are strings or {"text", "weight"} objects"#)
        }
      }
      return result
    }
    let negative = try pole("negative")
    let positive = try pole("positive")
    // Encoding runs on the room's queue: its cost is bounded by the total text, not only
    // by the count (128 texts of 2,000 characters held a room for ~11 s).
    let characters = (negative + positive).reduce(0) { $0 + $1.text.count }
    guard characters <= Self.maxLiveExampleCharacters else {
      throw .tooLarge(
        "params.examples hold \(characters) characters; a live axis takes at most \(Self.maxLiveExampleCharacters) (build larger ones as an axis pack)"
      )
    }
    let definition = AxisDefinition(
      id: draft.axis.rawValue, name: draft.name ?? "axis",
      poles: .init(
        negative: draft.poles?.negative ?? "negative",
        positive: draft.poles?.positive ?? "positive"),
      method: "mean-difference", source: "live axis.create",
      examples: .init(negative: negative, positive: positive),
      combine: nil, computed: nil)
    let pack = AxisPack(name: "live", version: "1", description: nil, axes: [definition])
    do {
      return try AxisBuilder(encoder: encoder).build(definition, pack: pack, known: [:])
    } catch {
      throw .invalidAxis("\(error)")
    }
  }
}

extension JSONValue {
  /// The member `key` of an object; nil for other values or a missing key.
  subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members[key]
  }
}

extension Room {
  /// See `RoomServices.authorize`.
  func authorize(_ use: PluginUse, role: Role, allowList: [String]?) throws(ProtocolError) {
    guard let plugins else { return }
    let owner: String?
    switch use {
    case .operation(let name): owner = plugins.operation(name)?.plugin
    case .axisProvider(let name): owner = plugins.axisProvider(name)?.plugin
    }
    guard let owner, let plugin = plugins.plugin(owner) else { return }
    guard pluginPolicy.allows(role, plugin: plugin) else {
      throw .forbidden(
        "this server's plugin policy does not let the \(role.rawValue) role run plugin \(plugin.name)"
      )
    }
    if let allowList,
      !allowList.contains(where: {
        PluginsAllow.entry($0, admits: plugin.name, runtime: plugin.runtime.rawValue)
      })
    {
      throw .forbidden(
        "this document allows only the plugins \(allowList.joined(separator: ", ")); not \(plugin.name)"
      )
    }
  }
}
