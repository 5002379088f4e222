import Canvas
import CanvasStore
import Foundation
import Latent
import PluginHost

/// op.apply: runs a plugin operation on the selected nodes and logs it together with its
/// results, in one atomic batch. What the results are comes from the operation's declared
/// effect, never its name: server-authored node.create (an operation that creates nodes,
/// decoded afterwards), node.move (one that updates its inputs), or axis.create + view.bind
/// (axis outputs). The results carry their latents, so replay never calls a plugin.
extension RoomCore {
  /// An op.apply arrives: its plugin runs, and the op with its results is one gated
  /// append (the results are logged only if the op.apply itself is, so a refused or
  /// retried op.apply changes nothing). A refusal nacks the sender and leaves the server
  /// clock where it was.
  mutating func receiveApply(
    _ request: ClientOpPayload.ApplyRequest, id applyID: OpID, member: Member,
    from connection: ConnectionID, using services: some RoomServices
  ) -> [Action] {
    let lamportBefore = serverLamport
    do {
      let (apply, results, intents) = try runOperation(
        request, id: applyID, member: member, using: services)
      return [
        .append(
          Submission(
            ops: [apply] + results, gatedOnFirst: true, client: connection,
            lamportBefore: lamportBefore, intents: intents))
      ]
    } catch {
      serverLamport = lamportBefore
      return [.send(error.nack(applyID).encoded(), to: [connection])]
    }
  }

  /// Checks an op.apply, runs its plugin, and builds the op with its results. Everything
  /// a later step trusts is checked first: the replica, the lamport (zero or too far ahead
  /// is refused before any clock moves), the params, the input ids.
  private mutating func runOperation(
    _ payload: ClientOpPayload.ApplyRequest, id applyID: OpID, member: Member,
    using services: some RoomServices
  ) throws(ProtocolError) -> (Op, [Op], [OpID: [DecodeIntent]]) {
    let params = try checkApply(payload, id: applyID, member: member)
    let validator = OpValidator()
    let name = payload.operation
    let inputs = payload.inputs ?? []
    guard inputs.count <= validator.limits.maxListLength else {
      throw .tooMany("inputs has more than \(validator.limits.maxListLength) entries")
    }
    var latents: [[Float]] = []
    for node in inputs {
      guard let live = state.node(node) else { throw .unknownNode(node) }
      latents.append(live.latent.floats)
    }
    let axes = state.axes.map {
      OperationAxis(
        id: $0.id.rawValue, direction: $0.direction.floats,
        negativeMean: $0.calibration.negativeMean, positiveMean: $0.calibration.positiveMean)
    }
    try services.authorize(
      .operation(name), role: member.role, allowList: state.pluginAllowList?.value)
    let run = try services.runOperation(name, inputs: latents, params: params, axes: axes)
    let (output, plugin) = (run.output, run.plugin)
    // Results sort after the op.apply (whose lamport passed the lead check above).
    func resultOp(_ payload: OpPayload) -> Op { serverOp(payload, above: applyID.lamport) }
    let stem = "\(name)-\(applyID.replica.rawValue)-\(applyID.lamport)"
    var results: [Op] = []
    var outputs: [String] = []
    var intents: [OpID: [DecodeIntent]] = [:]
    switch (output.kind, run.effect) {
    case (.nodes, .updatesInputs):
      // The host checked one output per input. Each update is logged as a node.move whose
      // coordinates are where the new latent lands on the document's axes.
      for (index, (node, vector)) in zip(inputs, output.vectors).enumerated() {
        let latent = LatentVector(vector)
        let op = resultOp(
          .nodeMove(
            NodeMove(
              node: node, coordinates: Self.coordinates(of: latent, in: state), latent: latent)))
        if run.intents.indices.contains(index), !run.intents[index].isEmpty {
          intents[op.id] = run.intents[index]
        }
        results.append(op)
        outputs.append(node.rawValue)
      }
    case (.nodes, .createsNodes(let origin)):
      for (index, vector) in output.vectors.enumerated() {
        let node = NodeID("\(stem)-\(index)")
        results.append(
          resultOp(
            .nodeCreate(
              NodeCreate(
                node: node, text: nil, latent: LatentVector(vector),
                origin: NodeOrigin(kind: origin, parents: inputs)))))
        outputs.append(node.rawValue)
      }
    case (.axes, _):
      for (index, (vector, calibration)) in zip(output.vectors, output.calibrations).enumerated() {
        let axis = AxisID("\(stem)-pc\(index + 1)")
        results.append(
          resultOp(
            .axisCreate(
              AxisCreate(
                axis: axis, name: "PC\(index + 1)", poles: AxisPoles(negative: "−", positive: "+"),
                provider: "plugin:\(plugin)/\(name)", params: .object([:]),
                direction: LatentVector(vector),
                calibration: AxisCalibration(
                  negativeMean: calibration.negative, positiveMean: calibration.positive)))))
        outputs.append(axis.rawValue)
      }
      if outputs.count >= 2 {
        results.append(
          resultOp(
            .viewBind(
              ViewBind(x: .bind(AxisID(outputs[0])), y: .bind(AxisID(outputs[1]))))))
      }
    }
    let apply = Op(
      id: applyID, actor: member.actor,
      payload: .opApply(
        OpApply(
          plugin: plugin, operation: name, params: params, inputs: inputs,
          outputs: outputs.map(NodeID.init))))
    return (apply, results, intents)
  }

  /// What every op.apply is checked for before anything runs: the sender's replica, a
  /// lamport that is not zero and not too far ahead (refused before any clock moves), and
  /// params that are an object (absent means `{}`), which it returns.
  func checkApply(_ payload: ClientOpPayload.ApplyRequest, id applyID: OpID, member: Member)
    throws(ProtocolError) -> JSONValue
  {
    guard applyID.replica == member.replica else {
      throw .wrongReplica(claimed: applyID.replica, own: member.replica)
    }
    do throws(ValidationError) {
      guard applyID.lamport > 0 else { throw .zeroLamport }
      try OpValidator().checkLamport(applyID, documentLamport: state.maxLamport)
    } catch {
      throw .invalid(error)
    }
    let params = payload.params ?? .object([:])
    guard case .object = params else { throw .malformed("params must be a JSON object") }
    return params
  }

  /// Calibrated coordinates of `latent` on the document's axes (at most the op
  /// validator's list limit), for the node.move an updating operation logs.
  static func coordinates(of latent: LatentVector, in state: DocumentState) -> [AxisCoordinate] {
    let floats = latent.floats
    return state.axes.prefix(ProtocolLimits.maxListLength).compactMap { axis in
      let at = axis.calibration.coordinate(
        ofProjection: VectorMath.dot(floats, axis.direction.floats))
      return at.isFinite ? AxisCoordinate(axis: axis.id, value: at) : nil
    }
  }
}
