import Canvas
import CanvasStore
import Foundation
import Latent

/// The re-decode pipeline: every committed text-less latent write (a node.move, or a
/// node.create that carries only a latent) is decoded on the shared pool, and the result is
/// logged as a server-authored node.decoded and broadcast to everyone in the room. A result
/// for a write that has since been superseded is dropped; the newer write's job answers it.
/// Drags get ephemeral preview decodes that are never logged.
extension Room {
  /// The replica and actor of server-authored ops.
  static let serverReplica = ReplicaID("latitude-server")
  static let serverActor = "latitude"

  /// A server-authored op with a fresh id (see `RoomCore.serverOp`).
  func serverOp(_ payload: OpPayload, above floor: UInt64 = 0) -> Op {
    core.serverOp(payload, above: floor)
  }

  /// Queues decodes for nodes whose latest latent write has no text yet (a decode that was
  /// lost to a restart), so no acknowledged move stays without its text.
  func scheduleStaleDecodes() { perform(core.staleDecodes) }

  /// Queues a decode of `latent` for `node` on the shared pool; its result is logged as a
  /// node.decoded answering the latent write `answers`, unless that write was superseded.
  func scheduleDecode(node: NodeID, latent: LatentVector, answers: OpID) {
    guard let decodes else { return }
    decodes.submit(
      DecodeScheduler.Job(
        key: "\(id.rawValue)\u{0}\(node.rawValue)", latent: latent.floats,
        candidates: decodeCandidates
      ) { [weak self] result in
        guard let self else { return }
        queue.async { self.decoded(node: node, answers: answers, result: result) }
      })
  }

  private func decoded(node: NodeID, answers: OpID, result: Result<DecodeResult, DecoderError>) {
    guard let decodes, case .success(let found) = result else { return }
    guard let live = state.node(node), live.latentWrite == answers else {
      decodes.noteSuperseded()
      return
    }
    let payload = NodeDecoded(
      node: node, answers: answers, text: found.text, textLatent: LatentVector(found.textLatent),
      fidelity: found.fidelity,
      source: found.source == .bank ? Canvas.DecodeSource.bank : .generated,
      runnersUp: found.runnersUp.map { RunnerUp(text: $0.text, cosine: $0.cosine) },
      decoderVersion: decodes.decoder.name)
    append(Submission(ops: [serverOp(.nodeDecoded(payload))]))
  }

  /// An ephemeral preview of the text at a drag position (`x`, `y` are coordinates on the
  /// view's bound axes), sent to everyone in the room as `{"t":"preview"}`.
  func preview(node: String, x: Double, y: Double) {
    guard let decodes else { return }
    queue.async { [self] in
      let view = state.view
      var coordinates: [(AxisID, Float)] = []
      if let axis = view.x { coordinates.append((axis, Float(x))) }
      if let axis = view.y { coordinates.append((axis, Float(y))) }
      guard !coordinates.isEmpty, let current = state.node(NodeID(node)),
        let target = try? movedLatent(current.latent.floats, to: coordinates, in: state)
      else { return }
      decodes.submitPreview(
        DecodeScheduler.Job(
          key: "\(id.rawValue)\u{0}\(node)\u{0}preview", latent: target,
          candidates: previewCandidates
        ) { [weak self] result in
          guard let self, case .success(let found) = result else { return }
          let frame = ServerMessage.preview(
            .init(
              node: NodeID(node), x: x, y: y, text: found.text, fidelity: Double(found.fidelity),
              source: found.source.rawValue)
          ).encoded()
          sink.send(frame, to: joinedConnections(), coalesceKey: "preview:\(node)")
        })
    }
  }
}
