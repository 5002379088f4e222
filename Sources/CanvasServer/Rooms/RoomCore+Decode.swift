import Canvas
import Foundation
import Latent

extension RoomCore {
  /// The replica and actor of server-authored ops.
  static let serverReplica = ReplicaID("latitude-server")
  static let serverActor = "latitude"

  /// A decode finished for `node`, answering the latent write `answers`: it is logged as a
  /// server-authored node.decoded, unless a newer latent write has superseded that one
  /// (the newer write's own decode answers it) or the node is gone.
  mutating func decoded(
    node: NodeID, answers: OpID, result found: DecodeResult, decoderVersion: String
  ) -> [Action] {
    if shownStages[node]?.answers == answers || state.node(node) == nil {
      shownStages[node] = nil
    }
    guard let live = state.node(node), live.latentWrite == answers else { return [.superseded] }
    let payload = NodeDecoded(
      node: node, answers: answers, text: found.text, textLatent: LatentVector(found.textLatent),
      fidelity: found.fidelity,
      source: found.source == .bank ? Canvas.DecodeSource.bank : .generated,
      runnersUp: found.runnersUp.map { RunnerUp(text: $0.text, cosine: $0.cosine) },
      decoderVersion: decoderVersion)
    return [.append(Submission(ops: [serverOp(.nodeDecoded(payload))]))]
  }

  /// An early stage of the decode answering `answers` (the bank's nearest sentence, then
  /// greedy text): sent to everyone joined as provisional text, unless the move was
  /// superseded or the stage does not beat the fidelity of the one already shown for it.
  /// Never logged; the final `node.decoded` replaces it.
  mutating func staged(node: NodeID, answers: OpID, stage: StagedText) -> [Action] {
    guard let live = state.node(node), live.latentWrite == answers,
      live.isTextStale, stage.fidelity.isFinite
    else { return [] }
    if let shown = shownStages[node], shown.answers == answers, shown.fidelity >= stage.fidelity {
      return []
    }
    shownStages[node] = ShownStage(answers: answers, fidelity: stage.fidelity)
    let frame = ServerMessage.decodeStage(
      .init(
        node: node, answers: answers, stage: stage.stage.rawValue, text: stage.text,
        fidelity: Double(stage.fidelity), source: stage.source.rawValue))
    return [.sendCoalesced(frame.encoded(), to: joined, key: "stage:\(node)")]
  }

  /// The points of a sweep of `node` along `axis` through `values`: each the least-squares
  /// move to that coordinate that also keeps the node's coordinates on the view's other
  /// bound axes.
  func sweepTargets(node: NodeID, axis: AxisID, values: [Double]) throws(ProtocolError)
    -> [[Float]]
  {
    guard let current = state.node(node) else { throw .unknownNode(node) }
    guard state.axis(axis) != nil else { throw .unknownAxis("no axis with id '\(axis)'") }
    let latent = current.latent.floats
    var kept: [(AxisID, Float)] = []
    for other in [state.view.x, state.view.y].compactMap({ $0 }) where other != axis {
      guard let bound = state.axis(other) else { continue }
      let at = bound.calibration.coordinate(
        ofProjection: VectorMath.dot(latent, bound.direction.floats))
      if at.isFinite { kept.append((other, at)) }
    }
    return try values.map { value throws(ProtocolError) in
      try Self.movedLatent(latent, to: [(axis, Float(value))] + kept, in: state)
    }
  }

  /// Where a drag of `node` to (`x`, `y`) on the view's bound axes would move its latent;
  /// nil when no axis is bound, the node is gone or the point cannot be reached.
  func dragTarget(node: NodeID, x: Double, y: Double) -> [Float]? {
    var coordinates: [(AxisID, Float)] = []
    if let axis = state.view.x { coordinates.append((axis, Float(x))) }
    if let axis = state.view.y { coordinates.append((axis, Float(y))) }
    guard !coordinates.isEmpty, let current = state.node(node) else { return nil }
    return try? Self.movedLatent(current.latent.floats, to: coordinates, in: state)
  }
}
