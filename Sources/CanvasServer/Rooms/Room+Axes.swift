import Canvas
import Foundation
import Latent
import PluginHost

/// Axes created live: an axis.create without a direction is computed by the server, either
/// from example sentences per pole (`params.examples`) or from a loaded axis pack
/// (`provider: "pack"`, `params.axis`). The direction and calibration are stored in the
/// op, so replay never needs the encoder or the pack.
extension Room {
  /// Examples per pole accepted in a live axis.create (encoding them holds the room).
  static let maxLiveExamplesPerPole = 64
  /// Characters of example text, both poles together, in a live axis.create.
  static let maxLiveExampleCharacters = 16_000

  /// Fills in `direction` and `calibration` of an axis.create payload that lacks them.
  /// - Throws: `ProtocolError` for a bad definition, an unknown pack axis or no encoder.
  func resolveAxis(_ payload: inout [String: Any]) throws {
    guard payload["direction"] == nil else { return }
    let params = payload["params"] as? [String: Any] ?? [:]
    let built: BuiltAxis
    let provider = payload["provider"] as? String ?? "examples"
    if let plugins, plugins.axisProvider(provider) != nil {
      built = try axisFromPlugin(provider, payload: payload, params: params, plugins: plugins)
    } else if provider == "pack" {
      guard let name = params["axis"] as? String else {
        throw ProtocolError(code: "malformed", message: "a pack axis needs params.axis")
      }
      guard let found = axes?.axis(name) else {
        throw ProtocolError(
          code: "unknown_axis",
          message:
            "no pack axis '\(name)'; loaded: \(axes?.axes.map(\.id).joined(separator: ", ") ?? "none")"
        )
      }
      built = found
    } else {
      built = try axisFromExamples(payload, params: params)
    }
    payload["direction"] = HalfPrecisionCodec.base64(LatentVector(built.direction))
    payload["calibration"] = [
      "negativeMean": Double(built.calibration.negativeMean),
      "positiveMean": Double(built.calibration.positiveMean),
    ]
    if payload["name"] == nil { payload["name"] = built.name }
    if payload["poles"] == nil {
      payload["poles"] = ["negative": built.poles.negative, "positive": built.poles.positive]
    }
    if payload["provider"] == nil { payload["provider"] = "examples" }
    if payload["params"] == nil { payload["params"] = [String: Any]() }
  }

  private func axisFromPlugin(
    _ provider: String, payload: [String: Any], params: [String: Any], plugins: PluginRegistry
  ) throws -> BuiltAxis {
    guard let data = try? JSONSerialization.data(withJSONObject: params),
      let value = try? JSONDecoder().decode(JSONValue.self, from: data)
    else { throw ProtocolError(code: "malformed", message: "params must be a JSON object") }
    do {
      let result = try plugins.axis(from: provider, params: value)
      let poles = payload["poles"] as? [String: Any]
      return BuiltAxis(
        id: payload["axis"] as? String ?? "", name: payload["name"] as? String ?? provider,
        poles: AxisPoles(
          negative: poles?["negative"] as? String ?? "−",
          positive: poles?["positive"] as? String ?? "+"),
        direction: result.direction,
        calibration: AxisCalibration(
          negativeMean: result.negativeMean, positiveMean: result.positiveMean),
        pack: "plugin", version: "", source: provider)
    } catch {
      throw ProtocolError(code: "invalid_axis", message: error.description)
    }
  }

  private func axisFromExamples(_ payload: [String: Any], params: [String: Any]) throws -> BuiltAxis
  {
    guard let encoder else {
      throw ProtocolError(code: "unavailable", message: "this server runs without an encoder")
    }
    guard let examples = params["examples"] as? [String: Any] else {
      throw ProtocolError(
        code: "malformed",
        message: "axis.create needs a direction, params.examples, or provider \"pack\"")
    }
    func pole(_ name: String) throws -> [AxisDefinition.Example] {
      guard let list = examples[name] as? [Any], !list.isEmpty,
        list.count <= Self.maxLiveExamplesPerPole
      else {
        throw ProtocolError(
          code: "malformed",
          message: "params.examples.\(name) needs 1–\(Self.maxLiveExamplesPerPole) sentences")
      }
      return try list.map { item in
        if let text = item as? String { return AxisDefinition.Example(text: text, weight: nil) }
        if let object = item as? [String: Any], let text = object["text"] as? String {
          return AxisDefinition.Example(
            text: text, weight: (object["weight"] as? NSNumber)?.floatValue)
        }
        throw ProtocolError(
          code: "malformed", message: "examples are strings or {\"text\", \"weight\"} objects")
      }
    }
    let negative = try pole("negative")
    let positive = try pole("positive")
    // Encoding runs on the room's queue: its cost is bounded by the total text, not only
    // by the count (128 texts of 2,000 characters held a room for ~11 s).
    let characters = (negative + positive).reduce(0) { $0 + $1.text.count }
    guard characters <= Self.maxLiveExampleCharacters else {
      throw ProtocolError(
        code: "too_large",
        message:
          "params.examples hold \(characters) characters; a live axis takes at most \(Self.maxLiveExampleCharacters) (build larger ones as an axis pack)"
      )
    }
    let poles = payload["poles"] as? [String: Any]
    let definition = AxisDefinition(
      id: payload["axis"] as? String ?? "", name: payload["name"] as? String ?? "axis",
      poles: .init(
        negative: poles?["negative"] as? String ?? "negative",
        positive: poles?["positive"] as? String ?? "positive"),
      method: "mean-difference", source: "live axis.create",
      examples: .init(negative: negative, positive: positive),
      combine: nil, computed: nil)
    let pack = AxisPack(name: "live", version: "1", description: nil, axes: [definition])
    do {
      return try AxisBuilder(encoder: encoder).build(definition, pack: pack, known: [:])
    } catch {
      throw ProtocolError(code: "invalid_axis", message: "\(error)")
    }
  }
}
