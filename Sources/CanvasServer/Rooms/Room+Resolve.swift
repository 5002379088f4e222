import Canvas
import Foundation
import Latent

extension Room {
  /// Turns a client's op into a loggable one: checks the replica, stamps the actor, and
  /// attaches the latents the server owns — a typed text's embedding, and for a move the
  /// least-squares point on the unit sphere that hits the target axis coordinates.
  /// - Throws: `ProtocolError` with a code for the nack.
  func resolve(_ raw: [String: Any], member: Member, state: DocumentState) throws -> Op {
    guard let kind = raw["kind"] as? String, var payload = raw["payload"] as? [String: Any],
      let id = raw["id"] as? [String: Any], let replica = id["replica"] as? String
    else { throw ProtocolError(code: "malformed", message: "an op needs id, kind and payload") }
    guard replica == member.replica.rawValue else {
      throw ProtocolError(
        code: "wrong_replica",
        message: "op replica '\(replica)' is not this connection's '\(member.replica)'")
    }
    switch kind {
    case OpKind.nodeDecoded.rawValue:
      throw ProtocolError(code: "forbidden", message: "node.decoded is written by the server only")
    case OpKind.nodeCreate.rawValue where payload["latent"] == nil,
      OpKind.nodeSetText.rawValue:
      guard let text = payload["text"] as? String else {
        throw ProtocolError(
          code: "malformed", message: "\(kind) needs a text (or, for node.create, a latent)")
      }
      payload["latent"] = try embed(text)
    case OpKind.nodeMove.rawValue:
      payload["latent"] = try moveTarget(payload, state: state)
    case OpKind.axisCreate.rawValue:
      try resolveAxis(&payload)
    default:
      break
    }
    var op = raw
    op["payload"] = payload
    op["actor"] = member.actor
    do {
      let data = try JSONSerialization.data(withJSONObject: op)
      let decoded = try JSONDecoder().decode(Op.self, from: data)
      try OpValidator().validateContent(decoded)
      return Self.normalizingDirections(decoded)
    } catch let error as ValidationError {
      throw ProtocolError(code: error.code, message: error.description)
    } catch {
      throw ProtocolError(code: "malformed", message: "op does not match the protocol: \(error)")
    }
  }

  /// The op with any axis direction it carries scaled to unit length (validation has
  /// already refused zero and non-finite ones).
  static func normalizingDirections(_ op: Op) -> Op {
    var op = op
    switch op.payload {
    case .axisCreate(var p):
      p.direction = LatentVector(LatentGeometry.normalized(p.direction.floats))
      op.payload = .axisCreate(p)
    case .axisUpdate(var p):
      p.direction = p.direction.map { LatentVector(LatentGeometry.normalized($0.floats)) }
      op.payload = .axisUpdate(p)
    default:
      break
    }
    return op
  }

  private func embed(_ text: String) throws -> String {
    guard let encoder else {
      throw ProtocolError(code: "unavailable", message: "this server runs without an encoder")
    }
    do {
      try OpValidator().checkText(text, field: "text")
    } catch {
      throw ProtocolError(code: error.code, message: error.description)
    }
    return HalfPrecisionCodec.base64(LatentVector(encoder.encode(text)))
  }

  private func moveTarget(_ payload: [String: Any], state: DocumentState) throws -> String {
    guard let node = payload["node"] as? String,
      let coordinates = payload["coordinates"] as? [[String: Any]],
      !coordinates.isEmpty
    else {
      throw ProtocolError(code: "malformed", message: "node.move needs a node and axis coordinates")
    }
    guard let current = state.node(NodeID(node)) else {
      throw ProtocolError(code: "unknown_node", message: "no node with id '\(node)'")
    }
    var targets: [(AxisID, Float)] = []
    for coordinate in coordinates {
      guard let axisID = coordinate["axis"] as? String,
        let value = (coordinate["value"] as? NSNumber)?.floatValue,
        value.isFinite
      else {
        throw ProtocolError(
          code: "malformed", message: "a coordinate needs an axis and a finite value")
      }
      targets.append((AxisID(axisID), value))
    }
    let moved = try movedLatent(current.latent.floats, to: targets, in: state)
    return HalfPrecisionCodec.base64(LatentVector(moved))
  }

  /// The least-squares point on the unit sphere nearest `latent` whose calibrated
  /// coordinates on the given axes are the given values.
  /// - Throws: `ProtocolError` "unknown_axis".
  func movedLatent(_ latent: [Float], to coordinates: [(AxisID, Float)], in state: DocumentState)
    throws -> [Float]
  {
    var directions: [[Float]] = []
    var targets: [Float] = []
    for (axisID, value) in coordinates {
      guard let axis = state.axis(axisID) else {
        throw ProtocolError(code: "unknown_axis", message: "no axis with id '\(axisID)'")
      }
      directions.append(axis.direction.floats)
      targets.append(axis.calibration.projection(ofCoordinate: value))
    }
    return LatentGeometry.move(latent, onto: directions, targets: targets)
  }
}
