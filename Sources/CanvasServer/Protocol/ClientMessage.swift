import Canvas
import Foundation

/// Every frame a client sends (Schema/protocol/client.schema.json). A frame is decoded
/// once, here, into one of these; nothing downstream parses JSON again.
enum ClientMessage: Codable, Sendable, Equatable {
  case hello(Hello)
  case join(Join)
  case op(ClientOp)
  case drag(Drag)
  case presence(Presence)
  case history(History)
  case sweep(Sweep)
  case features(Features)

  /// `hello`: who the client is. The replica id is the client's own and persists across
  /// reconnects; the server makes one up when absent.
  struct Hello: Codable, Sendable, Equatable {
    var replica: String?
    var actor: String?
    var `protocol`: Int?
  }

  /// `join`: start receiving the document. With `sinceSeq`, the missed ops; without, a
  /// snapshot.
  struct Join: Codable, Sendable, Equatable {
    var sinceSeq: Int64?
  }

  /// `drag`: an ephemeral live position of a node being dragged (axis coordinates).
  struct Drag: Codable, Sendable, Equatable {
    var node: String
    var x: Double
    var y: Double
  }

  /// `presence`: ephemeral cursor and selection.
  struct Presence: Codable, Sendable, Equatable {
    var cursor: [Double]?
    var selection: [String]?
    var dragging: String?
  }

  /// `history`: stream committed ops with seq in from...to (a scrubber).
  struct History: Codable, Sendable, Equatable {
    var from: Int64
    var to: Int64?
  }

  /// `sweep`: the texts at evenly spaced coordinates of `node` on `axis`, from `from` to
  /// `to` in `steps` steps (the other axes' coordinates kept). Answered to the sender only,
  /// one `sweep.step` per step, never logged.
  struct Sweep: Codable, Sendable, Equatable {
    var node: String
    var axis: String
    var from: Double
    var to: Double
    var steps: Int

    /// Steps a sweep may ask for, and the largest coordinate it may reach.
    static let maxSteps = 17
    static let maxCoordinate = 5.0

    /// Refuses an id over 128 bytes, non-finite or out-of-range ends, and a step count
    /// outside 2...17.
    func validate() throws(ProtocolError) {
      guard ProtocolLimits.isValidID(node), ProtocolLimits.isValidID(axis) else {
        throw .invalidID("sweep.node and sweep.axis must be 1–128 bytes")
      }
      guard from.isFinite, to.isFinite else { throw .nonFinite("sweep ends must be finite") }
      guard abs(from) <= Self.maxCoordinate, abs(to) <= Self.maxCoordinate, from != to else {
        throw .malformed("sweep ends must differ and lie within ±\(Self.maxCoordinate)")
      }
      guard (2...Self.maxSteps).contains(steps) else {
        throw .malformed("sweep.steps must be 2–\(Self.maxSteps)")
      }
    }

    /// The coordinate of step `index`.
    func value(at index: Int) -> Double {
      from + (to - from) * Double(index) / Double(steps - 1)
    }
  }

  /// A frame that could not be decoded: the refusal, the frame's type when it had one,
  /// and for an op frame the op id when it is readable (so the nack can name it).
  struct Refusal: Error {
    var error: ProtocolError
    var type: String?
    var opID: OpID?
  }

  /// `features`: the strongest features of `node` at the room's head (at most `limit`,
  /// default 10), from the server's feature dictionary. Answered to the sender only.
  struct Features: Codable, Sendable, Equatable {
    var node: String
    var limit: Int?

    /// Checks the node id and the limit.
    func validate() throws(ProtocolError) {
      guard ProtocolLimits.isValidID(node) else {
        throw .invalidID("features.node must be 1–128 bytes")
      }
      if let limit, !(1...64).contains(limit) { throw .malformed("features.limit must be 1–64") }
    }
  }

  /// The frame type, the schema's `t`.
  var type: String {
    switch self {
    case .hello: "hello"
    case .join: "join"
    case .op: "op"
    case .drag: "drag"
    case .presence: "presence"
    case .history: "history"
    case .sweep: "sweep"
    case .features: "features"
    }
  }

  /// Decodes one frame.
  static func decode(_ frame: Data) -> Result<ClientMessage, Refusal> {
    // A well-formed frame is parsed once; the envelope is read again only to describe a
    // refusal.
    let decoder = JSONDecoder()
    do {
      return .success(try decoder.decode(ClientMessage.self, from: frame))
    } catch {
      guard let envelope = try? decoder.decode(Envelope.self, from: frame) else {
        return .failure(
          Refusal(error: .malformed(#"frames are JSON objects with a string field "t""#)))
      }
      let refusal: ProtocolError
      switch error {
      case let error as ProtocolError: refusal = error
      case let error as ValidationError: refusal = .invalid(error)
      case let error as DecodingError:
        refusal = .malformed("\(envelope.t): \(Self.describe(error))")
      default: refusal = .malformed("\(envelope.t): \(error)")
      }
      return .failure(
        Refusal(
          error: refusal, type: envelope.t,
          opID: envelope.t == "op" ? Self.opID(in: frame) : nil))
    }
  }

  private struct Envelope: Decodable { var t: String }
  private enum CodingKeys: String, CodingKey { case t, op }

  init(from decoder: any Decoder) throws {
    let type = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .t)
    switch type {
    case "hello": self = .hello(try Hello(from: decoder))
    case "join": self = .join(try Join(from: decoder))
    case "op":
      self = .op(
        try decoder.container(keyedBy: CodingKeys.self).decode(ClientOp.self, forKey: .op))
    case "drag": self = .drag(try Drag(from: decoder))
    case "presence": self = .presence(try Presence(from: decoder))
    case "history": self = .history(try History(from: decoder))
    case "sweep": self = .sweep(try Sweep(from: decoder))
    case "features": self = .features(try Features(from: decoder))
    default: throw ProtocolError.unknownType(type)
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(type, forKey: .t)
    switch self {
    case .hello(let body): try body.encode(to: encoder)
    case .join(let body): try body.encode(to: encoder)
    case .op(let op): try container.encode(op, forKey: .op)
    case .drag(let body): try body.encode(to: encoder)
    case .presence(let body): try body.encode(to: encoder)
    case .history(let body): try body.encode(to: encoder)
    case .sweep(let body): try body.encode(to: encoder)
    case .features(let body): try body.encode(to: encoder)
    }
  }

  /// The op id of an op frame that failed to decode, when it has one: a lamport that is
  /// negative, fractional or over 2^64 − 1 gives nil (the nack then carries no id) instead
  /// of a wrapped or trapping number.
  static func opID(in frame: Data) -> OpID? {
    struct Probe: Decodable {
      struct Body: Decodable { var id: OpID }
      var op: Body
    }
    return try? JSONDecoder().decode(Probe.self, from: frame).op.id
  }

  /// A decoding error as one line for a user: which field, and what was wrong with it.
  static func describe(_ error: DecodingError) -> String {
    switch error {
    case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case .dataCorrupted(let context): context.debugDescription
    @unknown default: "\(error)"
    }
  }
}

extension ClientMessage.Drag {
  /// Refuses what peers must never be sent: ids over the schema's 128 bytes, and
  /// coordinates that are not finite.
  func validate() throws(ProtocolError) {
    guard ProtocolLimits.isValidID(node) else { throw .invalidID("drag.node must be 1–128 bytes") }
    guard x.isFinite, y.isFinite else { throw .nonFinite("drag coordinates must be finite") }
  }
}

extension ClientMessage.Presence {
  /// Refuses presence peers must never be sent: a cursor that is not two finite numbers,
  /// a selection over 64 ids or with an id over 128 bytes, a dragging id over 128 bytes.
  func validate() throws(ProtocolError) {
    if let cursor, cursor.count != 2 || !cursor.allSatisfy(\.isFinite) {
      throw .malformed("presence.cursor is two finite numbers")
    }
    if let selection,
      selection.count > ProtocolLimits.maxListLength
        || !selection.allSatisfy(ProtocolLimits.isValidID)
    {
      throw .malformed("presence.selection is up to 64 ids of 1–128 bytes")
    }
    if let dragging, !ProtocolLimits.isValidID(dragging) {
      throw .malformed("presence.dragging is a node id of 1–128 bytes")
    }
  }
}
