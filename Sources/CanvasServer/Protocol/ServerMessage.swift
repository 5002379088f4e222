import Canvas
import Foundation
import LatentMath

/// Every frame the server sends (Schema/protocol/server.schema.json), encoded once with
/// `encoded()` and shared by every connection it goes to.
enum ServerMessage: Encodable, Sendable {
  /// The answer to `hello`.
  case welcome(Welcome)
  /// A join without `sinceSeq`: the live state (no latents; nodes carry coords).
  case snapshot(seq: Int64, state: SnapshotState)
  /// The end of a join's catch-up.
  case joined(doc: DocumentID, head: Int64)
  /// A join's missed ops, in pages.
  case ops([WireOp])
  /// A history request's ops, in pages.
  case history([WireOp])
  /// The end of a history request.
  case historyEnd(to: Int64)
  /// A committed op.
  case op(WireOp)
  /// The sender's op is logged at `seq`; for a node op, with the node's coordinates as
  /// logged (what peers get in the op frame), for an axis create or update with the op as
  /// peers get it (the logged name and poles, every node's coordinate on the axis), so the
  /// sender needs no refetch.
  case ack(OpID, seq: Int64, coords: NodeCoordinates? = nil, op: WireOp.Body? = nil)
  /// The sender's op is refused.
  case nack(Nack)
  /// A peer's live drag position (never logged).
  case drag(DragRelay)
  /// A peer's cursor and selection, or that it left.
  case presence(PresenceRelay)
  /// A refused frame that is not an op.
  case error(code: String, message: String)
  /// The text at a drag position (never logged; coalesced per node).
  case preview(Preview)
  /// An early stage of a committed move's decode (never logged): provisional text until
  /// the `node.decoded` that answers the same move arrives.
  case decodeStage(Stage)
  /// One step of a sweep, to the client that asked.
  case sweepStep(SweepStep)
  /// The answer to a `features` request: a node's strongest features.
  case features(FeatureBodies.NodeFeatures)

  /// The fields of `welcome`.
  struct Welcome: Encodable, Sendable {
    var `protocol` = ProtocolVersion.current
    var server = "latitude/0.1.0"
    var replica: ReplicaID
    var role: String
    var limits: [String: Int]
  }

  /// A relayed drag.
  struct DragRelay: Encodable, Sendable {
    var from: ConnectionID
    var actor: String
    var node: NodeID
    var x: Double
    var y: Double
  }

  /// A relayed presence; `left` when its member has gone.
  struct PresenceRelay: Encodable, Sendable {
    var from: ConnectionID
    var actor: String
    var cursor: [Double]?
    var selection: [String]?
    var dragging: String?
    var left: Bool?
  }

  /// A drag preview.
  struct Preview: Encodable, Sendable {
    var node: NodeID
    var x: Double
    var y: Double
    var text: String
    var fidelity: Double
    var source: String
  }

  /// A sweep step: the text at `value` on `axis`, and the latent there (so the client can
  /// drop it on the canvas as a new node).
  struct SweepStep: Encodable, Sendable {
    var node: NodeID
    var axis: AxisID
    var index: Int
    var steps: Int
    var value: Double
    var text: String
    var fidelity: Double
    var source: String
    /// fp16 base64, as in ops.
    var latent: LatentVector
  }

  /// A provisional decode stage.
  struct Stage: Encodable, Sendable {
    var node: NodeID
    /// The latent write (move) it answers, as the final `node.decoded` will.
    var answers: OpID
    /// "bank" or "greedy".
    var stage: String
    var text: String
    var fidelity: Double
    var source: String
  }

  private enum CodingKeys: String, CodingKey {
    case t, seq, state, doc, head, ops, to, op, opId, code, message, coords
  }

  /// The frame type, the schema's `t`.
  var type: String {
    switch self {
    case .welcome: "welcome"
    case .snapshot: "snapshot"
    case .joined: "joined"
    case .ops: "ops"
    case .history: "history"
    case .historyEnd: "historyEnd"
    case .op: "op"
    case .ack: "ack"
    case .nack: "nack"
    case .drag: "drag"
    case .presence: "presence"
    case .error: "error"
    case .preview: "preview"
    case .decodeStage: "decode.stage"
    case .sweepStep: "sweep.step"
    case .features: "features"
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(type, forKey: .t)
    switch self {
    case .welcome(let body): try body.encode(to: encoder)
    case .nack(let body): try body.encode(to: encoder)
    case .drag(let body): try body.encode(to: encoder)
    case .presence(let body): try body.encode(to: encoder)
    case .preview(let body): try body.encode(to: encoder)
    case .decodeStage(let body): try body.encode(to: encoder)
    case .sweepStep(let body): try body.encode(to: encoder)
    case .features(let body): try body.encode(to: encoder)
    case .snapshot(let seq, let state):
      try container.encode(seq, forKey: .seq)
      try container.encode(state, forKey: .state)
    case .joined(let doc, let head):
      try container.encode(doc, forKey: .doc)
      try container.encode(head, forKey: .head)
    case .ops(let ops), .history(let ops):
      try container.encode(ops, forKey: .ops)
    case .historyEnd(let to):
      try container.encode(to, forKey: .to)
    case .op(let op):
      try container.encode(op.seq, forKey: .seq)
      try container.encode(op.op, forKey: .op)
    case .ack(let id, let seq, let coords, let op):
      try container.encode(id, forKey: .opId)
      try container.encode(seq, forKey: .seq)
      try container.encodeIfPresent(coords, forKey: .coords)
      try container.encodeIfPresent(op, forKey: .op)
    case .error(let code, let message):
      try container.encode(code, forKey: .code)
      try container.encode(message, forKey: .message)
    }
  }

  /// The frame's bytes: JSON with sorted keys.
  func encoded() -> Data {
    Self.encode(self)
      ?? Data(#"{"code":"internal","message":"could not encode a frame","t":"error"}"#.utf8)
  }

  /// JSON with sorted keys and unescaped slashes, as every frame and REST body is written.
  static func encode(_ value: some Encodable) -> Data? {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try? encoder.encode(value)
  }
}

/// A refused op.
struct Nack: Encodable, Sendable, Equatable {
  var opId: OpID?
  var code: String
  var message: String
  var retryAfterMs: Int?
  var status: Int?
}
