import Canvas
import Foundation
import Latent

/// What an edit asks of the text its point decodes to (`DecodeIntent`): a drag along an
/// axis asks that the text move along that axis too, a feature steer that the feature fire.
/// The decode prefers texts that do, when they are nearly as close to the point.
extension RoomCore {
  /// One intent per axis of `axes` along which `to` moved readably from `from`.
  func axisIntents(from: [Float], to: [Float], axes: [AxisID]) -> [DecodeIntent] {
    axes.compactMap { id in
      guard let axis = state.axis(id), axis.direction.count == from.count,
        from.count == to.count
      else { return nil }
      let direction = axis.direction.floats
      return DecodeIntent.axisMove(
        direction: direction, from: VectorMath.dot(from, direction),
        to: VectorMath.dot(to, direction))
    }
  }

  /// The intents of moving `node` to `target` along `axes` (a drag preview), as its
  /// node.move would get them.
  func intents(moving node: NodeID, to target: [Float], along axes: [AxisID]) -> [DecodeIntent] {
    guard let current = state.node(node) else { return [] }
    return axisIntents(from: current.latent.floats, to: target, axes: axes)
  }

  /// The intents of a client's node.move, read before it is applied: the text should move
  /// along every axis the move names, from where the node was.
  func moveIntents(for op: Op) -> [DecodeIntent] {
    guard case .nodeMove(let payload) = op.payload, let latent = payload.latent,
      let before = state.node(payload.node)
    else { return [] }
    return axisIntents(
      from: before.latent.floats, to: latent.floats, axes: payload.coordinates.map(\.axis))
  }
}
