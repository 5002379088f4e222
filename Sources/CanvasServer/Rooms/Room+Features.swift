import Canvas
import Latent
import PluginHost

/// The feature dictionary in a room: a feature as an axis (`axis.create` with provider
/// "feature") and feature steering (`op.apply` "feature-steer"). Both store their results
/// in the log (the axis's direction and calibration; the steered latents as node.move), so
/// replay never runs the dictionary.
extension Room {
  /// The steering operation's name in op.apply.
  static let steerOperation = "feature-steer"
  /// The default amount of a steering edit, in multiples of the feature's median activation.
  static let defaultSteeringStrength: Float = 12

  /// An axis along a feature's decoder direction, calibrated so that the mean projection
  /// of train sentences is −1 and the mean where the feature fires is +1.
  func axisFromFeature(_ draft: ClientOpPayload.AxisDraft, params: JSONValue)
    throws(ProtocolError) -> BuiltAxis
  {
    guard let features else { throw .unavailable("this server runs without a feature dictionary") }
    guard case .number(let number)? = params["feature"], let id = Int(exactly: number) else {
      throw .malformed(#"a feature axis needs params.feature (a feature id, see GET /v1/features)"#)
    }
    do {
      let info = try features.liveFeature(id)
      guard let projection = info.projection, projection.on > projection.off else {
        throw ProtocolError.invalidAxis("feature \(id) has no usable calibration")
      }
      return BuiltAxis(
        id: draft.axis.rawValue, name: draft.name ?? info.label,
        poles: draft.poles ?? AxisPoles(negative: "without", positive: info.label),
        direction: try features.autoencoder.direction(id),
        calibration: AxisCalibration(negativeMean: projection.off, positiveMean: projection.on),
        pack: "features", version: features.name, source: "feature \(id)")
    } catch let error as ProtocolError {
      throw error
    } catch {
      throw .unknownFeature("\(error)")
    }
  }

  /// Steers a feature on the inputs: params `feature` (id); the amount as `value` (an
  /// activation) or `strength` (a multiple of the feature's median active value; default
  /// 12, where decoded texts carry the feature measurably often — see the model card);
  /// `mode` "set" (default) or "add"; `edit` "translate" (default) or "optimize". Returns
  /// one new latent per input.
  func steer(inputs: [[Float]], params: JSONValue) throws(ProtocolError) -> OperationRun {
    guard let features else { throw .unavailable("this server runs without a feature dictionary") }
    guard case .number(let number)? = params["feature"], let id = Int(exactly: number) else {
      throw .malformed("feature-steer needs params.feature (a feature id)")
    }
    guard !inputs.isEmpty else { throw .malformed("feature-steer needs at least one input node") }
    let info: FeatureInfo
    do { info = try features.liveFeature(id) } catch { throw .unknownFeature("\(error)") }
    let median = info.activation?.median ?? 0
    var value = Self.defaultSteeringStrength * median
    switch (params["value"], params["strength"]) {
    case (.some, .some):
      throw .malformed("give params.value or params.strength, not both")
    case (.some(let given), nil):
      guard case .number(let raw) = given, raw.isFinite, abs(raw) <= 100 else {
        throw .malformed("params.value must be a finite number (an activation, |value| ≤ 100)")
      }
      value = Float(raw)
    case (nil, .some(let given)):
      guard case .number(let raw) = given, raw.isFinite, abs(raw) <= 100 else {
        throw .malformed("params.strength must be a finite number (× the median, |strength| ≤ 100)")
      }
      value = Float(raw) * median
    case (nil, nil):
      break
    }
    let mode = params["mode"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "set"
    let editName =
      params["edit"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "translate"
    guard mode == "set" || mode == "add" else {
      throw .malformed(#"params.mode is "set" or "add""#)
    }
    guard let edit = SteerEdit(rawValue: editName) else {
      throw .malformed(#"params.edit is "translate" or "optimize""#)
    }
    var vectors: [[Float]] = []
    do {
      for latent in inputs {
        let current = try features.autoencoder.encode(latent).activation(of: id)
        let target = max(0, mode == "add" ? current + value : value)
        vectors.append(
          try features.autoencoder.steer(latent, feature: id, target: target, edit: edit).latent)
      }
    } catch {
      throw .malformed("cannot steer: \(error)")
    }
    return OperationRun(
      output: OperationOutput(kind: .nodes, vectors: vectors),
      plugin: "features:\(features.name)", effect: .updatesInputs)
  }
}
