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

  /// Answers a `features` request: the node's strongest features at the room's head, with
  /// the document's names for them; an error frame for an unknown node or no dictionary.
  func readFeatures(_ request: ClientMessage.Features, for connection: ConnectionID) {
    queue.async { [self] in
      do throws(ProtocolError) {
        guard let features else {
          throw .unavailable("this server runs without a feature dictionary")
        }
        let answer = try FeatureBodies.NodeFeatures(
          NodeID(request.node), in: core.state, dictionary: features,
          limit: min(request.limit ?? 10, features.autoencoder.k))
        sink.send(ServerMessage.features(answer).encoded(), to: connection)
      } catch {
        sink.send(error.errorFrame.encoded(), to: connection)
      }
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
    let given = (
      value: try Self.boundedNumber(params, "value", "an activation"),
      strength: try Self.boundedNumber(params, "strength", "× the median")
    )
    if given.value != nil, given.strength != nil {
      throw .malformed("give params.value or params.strength, not both")
    }
    let value = given.value ?? (given.strength ?? Self.defaultSteeringStrength) * median
    let mode = try Self.choice(params, "mode", among: ["set", "add"])
    let edit = SteerEdit(
      rawValue: try Self.choice(params, "edit", among: SteerEdit.allCases.map(\.rawValue)))!
    var vectors: [[Float]] = []
    var intents: [[DecodeIntent]] = []
    do {
      for latent in inputs {
        let current = try features.autoencoder.encode(latent).activation(of: id)
        let target = max(0, mode == "add" ? current + value : value)
        vectors.append(
          try features.autoencoder.steer(latent, feature: id, target: target, edit: edit).latent)
        // Turned on: the decoded text should carry the feature (at its median, or the
        // target when that is lower).
        intents.append(
          target > 0
            ? [try features.autoencoder.intent(feature: id, atLeast: min(target, median))]
            : [])
      }
    } catch {
      throw .malformed("cannot steer: \(error)")
    }
    return OperationRun(
      output: OperationOutput(kind: .nodes, vectors: vectors),
      plugin: "features:\(features.name)", effect: .updatesInputs, intents: intents)
  }

  /// An optional number parameter, finite and at most 100 in size.
  private static func boundedNumber(_ params: JSONValue, _ key: String, _ meaning: String)
    throws(ProtocolError) -> Float?
  {
    guard let given = params[key] else { return nil }
    guard case .number(let raw) = given, raw.isFinite, abs(raw) <= 100 else {
      throw .malformed("params.\(key) must be a finite number (\(meaning), at most 100 in size)")
    }
    return Float(raw)
  }

  /// An optional string parameter from a fixed set; the first choice when absent.
  private static func choice(_ params: JSONValue, _ key: String, among choices: [String])
    throws(ProtocolError) -> String
  {
    guard let given = params[key] else { return choices[0] }
    guard case .string(let name) = given, choices.contains(name) else {
      throw .malformed(
        "params.\(key) is one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
    }
    return name
  }
}
