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
  /// Queues decodes for nodes whose latest latent write has no text yet (a decode that was
  /// lost to a restart), so no acknowledged move stays without its text.
  func scheduleStaleDecodes() { perform(core.staleDecodes) }

  /// Queues a decode of `latent` for `node` on the shared pool; its result is logged as a
  /// node.decoded answering the latent write `answers`, unless that write was superseded.
  /// `intents`: what the edit asked of the text (see `DecodeIntent`).
  func scheduleDecode(
    node: NodeID, latent: LatentVector, answers: OpID, intents: [DecodeIntent] = []
  ) {
    guard let decodes else { return }
    decodes.submit(
      DecodeScheduler.Job(
        key: "\(id.rawValue)\u{0}\(node.rawValue)", latent: latent.floats,
        effort: committedEffort, intents: intents,
        onStage: { [weak self] stage in
          guard let self else { return }
          queue.async {
            self.perform(self.core.staged(node: node, answers: answers, stage: stage))
          }
        }
      ) { [weak self] result in
        guard let self else { return }
        guard case .success(let found) = result else { return }
        queue.async {
          self.perform(
            self.core.decoded(
              node: node, answers: answers, result: found, decoderVersion: decodes.decoder.name))
        }
      })
  }

  /// A sweep for `connection`: the texts at evenly spaced coordinates of a node on one
  /// axis, decoded on the pool behind committed moves (at a committed move's effort and
  /// without intents, so a step dropped on the canvas as a new node decodes to the same
  /// text from the cache) and sent to the asker only, one `sweep.step` frame per step as
  /// each is found.
  func sweep(_ request: ClientMessage.Sweep, for connection: ConnectionID) {
    queue.async { [self] in
      guard let decodes else {
        sink.send(
          ProtocolError.unavailable("this server runs without a decoder").errorFrame.encoded(),
          to: connection)
        return
      }
      let node = NodeID(request.node)
      let axis = AxisID(request.axis)
      let values = (0..<request.steps).map(request.value(at:))
      let targets: [[Float]]
      do throws(ProtocolError) {
        targets = try core.sweepTargets(node: node, axis: axis, values: values)
      } catch {
        sink.send(error.errorFrame.encoded(), to: connection)
        return
      }
      var refused = false
      for (index, target) in targets.enumerated() {
        let steps = request.steps
        let job = DecodeScheduler.Job(
          key: "\(id.rawValue)\u{0}\(node)\u{0}sweep\u{0}\(connection)\u{0}\(index)",
          latent: target, effort: committedEffort
        ) { [weak self] result in
          guard let self, case .success(let found) = result else { return }
          let frame = ServerMessage.sweepStep(
            .init(
              node: node, axis: axis, index: index, steps: steps, value: values[index],
              text: found.text, fidelity: Double(found.fidelity), source: found.source.rawValue,
              latent: LatentVector(target)))
          sink.send(frame.encoded(), to: connection)
        }
        if !decodes.submitPreview(job) { refused = true }
      }
      if refused {
        sink.send(
          ProtocolError.busy("the decoder is busy: some sweep steps were dropped; try again")
            .errorFrame.encoded(), to: connection)
      }
    }
  }

  /// An ephemeral preview of the text at a drag position (`x`, `y` are coordinates on the
  /// view's bound axes), sent to everyone in the room as `{"t":"preview"}`.
  func preview(node: String, x: Double, y: Double) {
    guard let decodes else { return }
    queue.async { [self] in
      guard let target = core.dragTarget(node: NodeID(node), x: x, y: y) else { return }
      let view = core.state.view
      decodes.submitPreview(
        DecodeScheduler.Job(
          key: "\(id.rawValue)\u{0}\(node)\u{0}preview", latent: target,
          effort: DecodeEffort(
            candidates: previewCandidates,
            intentCandidates: min(LatentDecoder.intentCandidates, previewCandidates)),
          intents: core.intents(
            moving: NodeID(node), to: target, along: [view.x, view.y].compactMap { $0 })
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
