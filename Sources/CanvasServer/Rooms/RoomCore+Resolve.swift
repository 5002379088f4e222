import Canvas
import Foundation
import Latent

extension RoomCore {
  /// A client's op arrives: it is resolved (an op.apply is run) and handed back as an
  /// append, or refused with a nack to the sender. Ops from a connection that is not a
  /// member are dropped.
  mutating func receive(
    _ request: ClientOp, from connection: ConnectionID, using services: some RoomServices
  ) -> [Action] {
    guard let member = members[connection] else { return [] }
    if case .opApply(let apply) = request.payload, let method = Self.mapOperations[apply.operation]
    {
      return receiveMapApply(
        apply, method: method, id: request.id, member: member, from: connection)
    }
    if case .opApply(let apply) = request.payload {
      return receiveApply(apply, id: request.id, member: member, from: connection, using: services)
    }
    do throws(ProtocolError) {
      let op = try resolve(request, member: member, using: services)
      return [.append(Submission(ops: [op], client: connection))]
    } catch {
      return [.send(error.nack(request.id).encoded(), to: [connection])]
    }
  }

  /// Turns a client's op into a loggable one: checks the replica, stamps the actor, and
  /// attaches the latents the server owns — a typed text's embedding, and for a move the
  /// least-squares point on the unit sphere that hits the target axis coordinates.
  /// (op.apply is run by `receiveApply`, not resolved here.)
  func resolve(_ request: ClientOp, member: Member, using services: some RoomServices)
    throws(ProtocolError) -> Op
  {
    guard request.id.replica == member.replica else {
      throw .wrongReplica(claimed: request.id.replica, own: member.replica)
    }
    let payload: OpPayload
    switch request.payload {
    case .nodeCreate(let draft):
      let latent: LatentVector
      if let given = draft.latent {
        latent = given
      } else if let text = draft.text {
        latent = try services.embed(text)
      } else {
        throw .malformed("node.create needs a text or a latent")
      }
      payload = .nodeCreate(
        NodeCreate(
          node: draft.node, text: draft.text, latent: latent, origin: draft.origin ?? .typed))
    case .nodeMove(let move):
      let latent = try moveTarget(move)
      // A map move is logged with the coordinates its latent has on the document's axes.
      let coordinates =
        move.map == nil ? move.coordinates : Self.coordinates(of: latent, in: state)
      payload = .nodeMove(NodeMove(node: move.node, coordinates: coordinates, latent: latent))
    case .nodeSetText(let edit):
      payload = .nodeSetText(
        NodeSetText(node: edit.node, text: edit.text, latent: try services.embed(edit.text)))
    case .nodeDelete(let p): payload = .nodeDelete(p)
    case .axisCreate(let draft):
      if let provider = draft.provider {
        try services.authorize(
          .axisProvider(provider), role: member.role, allowList: state.pluginAllowList?.value)
      }
      payload = .axisCreate(try resolveAxis(draft, using: services))
    case .axisUpdate(let p): payload = .axisUpdate(p)
    case .axisDelete(let p): payload = .axisDelete(p)
    case .viewBind(let p): payload = .viewBind(p)
    case .featureName(let p): payload = .featureName(p)
    case .pluginsAllow(let p):
      guard member.role == .owner else {
        throw .forbidden("only the document's owner may restrict its plugins")
      }
      payload = .pluginsAllow(p)
    case .opApply: throw .internalError("op.apply is run, not resolved")
    }
    let op = Op(id: request.id, actor: member.actor, payload: payload)
    do {
      try OpValidator().validateContent(op)
    } catch {
      throw .invalid(error)
    }
    return Self.normalizingDirections(op)
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

  /// The loggable axis.create of a client's draft: as given when it carries a direction,
  /// otherwise built by the services (examples, a pack or a plugin provider).
  func resolveAxis(_ draft: ClientOpPayload.AxisDraft, using services: some RoomServices)
    throws(ProtocolError) -> AxisCreate
  {
    let params = draft.params ?? .object([:])
    if let direction = draft.direction {
      guard let calibration = draft.calibration else {
        throw .malformed("an axis.create with a direction needs its calibration")
      }
      return AxisCreate(
        axis: draft.axis, name: draft.name ?? draft.axis.rawValue,
        poles: draft.poles ?? AxisPoles(negative: "negative", positive: "positive"),
        provider: draft.provider ?? "direction", params: params, direction: direction,
        calibration: calibration)
    }
    let built = try services.buildAxis(draft, params: params)
    return AxisCreate(
      axis: draft.axis, name: draft.name ?? built.name, poles: draft.poles ?? built.poles,
      provider: draft.provider ?? "examples", params: params,
      direction: LatentVector(built.direction), calibration: built.calibration)
  }

  private func moveTarget(_ move: ClientOpPayload.MoveRequest) throws(ProtocolError)
    -> LatentVector
  {
    if let target = move.map {
      guard move.coordinates.isEmpty else {
        throw .malformed("node.move takes axis coordinates or a map point, not both")
      }
      return try mapMoveTarget(move.node, to: target)
    }
    guard !move.coordinates.isEmpty else {
      throw .malformed("node.move needs a node and axis coordinates (or a map point)")
    }
    guard let current = state.node(move.node) else { throw .unknownNode(move.node) }
    guard move.coordinates.allSatisfy(\.value.isFinite) else {
      throw .malformed("a coordinate needs an axis and a finite value")
    }
    let moved = try Self.movedLatent(
      current.latent.floats, to: move.coordinates.map { ($0.axis, $0.value) }, in: state)
    return LatentVector(moved)
  }

  /// The least-squares point on the unit sphere nearest `latent` whose calibrated
  /// coordinates on the given axes are the given values.
  static func movedLatent(
    _ latent: [Float], to coordinates: [(AxisID, Float)], in state: DocumentState
  )
    throws(ProtocolError) -> [Float]
  {
    var directions: [[Float]] = []
    var targets: [Float] = []
    for (axisID, value) in coordinates {
      guard let axis = state.axis(axisID) else {
        throw .unknownAxis("no axis with id '\(axisID)'")
      }
      directions.append(axis.direction.floats)
      targets.append(axis.calibration.projection(ofCoordinate: value))
    }
    return LatentGeometry.move(latent, onto: directions, targets: targets)
  }
}
