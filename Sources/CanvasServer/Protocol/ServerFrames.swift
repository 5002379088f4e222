import Canvas
import CanvasStore
import Foundation
import Latent

/// Builds the JSON frames the server sends.
enum ServerFrames {
  static func encode(_ object: [String: Any]) -> Data {
    (try? JSONSerialization.data(
      withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      ?? Data(#"{"t":"error","code":"internal","message":"could not encode a frame"}"#.utf8)
  }

  static func welcome(replica: String, role: String, limits: [String: Any]) -> Data {
    encode([
      "t": "welcome", "protocol": ProtocolVersion.current, "server": "latitude/0.1.0",
      "replica": replica, "role": role, "limits": limits,
    ])
  }

  static func error(_ code: String, _ message: String) -> Data {
    encode(["t": "error", "code": code, "message": message])
  }

  static func ack(_ id: OpID, seq: Int64) -> Data {
    encode(["t": "ack", "opId": opID(id), "seq": seq])
  }

  /// A refused op; `status` is the HTTP-like class of refusal (403, 429, ...).
  static func nack(
    _ id: OpID?, code: String, message: String, retryAfterMs: Int? = nil, status: Int? = nil
  ) -> Data {
    var frame: [String: Any] = ["t": "nack", "code": code, "message": message]
    if let status { frame["status"] = status }
    if let id { frame["opId"] = opID(id) }
    if let retryAfterMs { frame["retryAfterMs"] = retryAfterMs }
    return encode(frame)
  }

  static func opID(_ id: OpID) -> [String: Any] {
    ["lamport": id.lamport, "replica": id.replica.rawValue]
  }

  /// A committed op as peers see it: latents removed, axis coordinates of the node added.
  static func wireOp(_ entry: SequencedOp, state: DocumentState) -> [String: Any] {
    var op =
      (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(entry.op))) as? [String: Any]
      ?? [:]
    if var payload = op["payload"] as? [String: Any] {
      for key in ["latent", "textLatent", "direction"] { payload.removeValue(forKey: key) }
      if let node = entry.op.payload.node, let coordinates = coordinates(of: node, in: state) {
        payload["coords"] = coordinates
      }
      op["payload"] = payload
    }
    return ["seq": entry.seq, "op": op]
  }

  /// Calibrated coordinates of a node's latent (and of its text) on every live axis.
  static func coordinates(of node: NodeID, in state: DocumentState) -> [String: Any]? {
    guard let live = state.node(node) else { return nil }
    let latent = live.latent.floats
    let text = live.textLatent?.floats
    var result: [String: Any] = [:]
    for axis in state.axes {
      // Validation keeps degenerate axes out of the log; a coordinate that is still not
      // finite is left out rather than making the whole frame unencodable.
      let direction = axis.direction.floats
      let at = axis.calibration.coordinate(ofProjection: VectorMath.dot(latent, direction))
      guard at.isFinite else { continue }
      var entry: [String: Any] = ["at": Double(at)]
      if let text {
        let onText = axis.calibration.coordinate(ofProjection: VectorMath.dot(text, direction))
        if onText.isFinite { entry["text"] = Double(onText) }
      }
      result[axis.id.rawValue] = entry
    }
    return result
  }
}
