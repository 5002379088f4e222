import Canvas
import Foundation

/// Protocol v1: JSON text frames `{"t": type, ...}` on `/v1/docs/{docId}`.
/// The JSON Schemas in Schema/protocol/ describe every message.
public enum ProtocolVersion {
  /// The protocol version this server speaks.
  public static let current = 1
}

/// The envelope every client frame starts with.
struct ClientEnvelope: Decodable {
  var t: String
}

/// `hello`: who the client is. The replica id is the client's own and persists across
/// reconnects; the server makes one up when absent.
struct HelloMessage: Decodable {
  var replica: String?
  var actor: String?
  var `protocol`: Int?
}

/// `join`: start receiving the document. With `sinceSeq`, the missed ops; without, a snapshot.
struct JoinMessage: Decodable {
  var sinceSeq: Int64?
}

/// `drag`: an ephemeral live position of a node being dragged (axis coordinates).
struct DragMessage: Codable {
  var node: String
  var x: Double
  var y: Double
}

extension DragMessage {
  /// Refuses what peers must never be sent: ids over the schema's 128 bytes, and
  /// coordinates that are not finite.
  func validate() throws {
    guard ProtocolLimits.isValidID(node) else {
      throw ProtocolError(code: "invalid_id", message: "drag.node must be 1–128 bytes")
    }
    guard x.isFinite, y.isFinite else {
      throw ProtocolError(code: "non_finite", message: "drag coordinates must be finite")
    }
  }
}

/// `presence`: ephemeral cursor and selection.
struct PresenceMessage: Codable {
  var cursor: [Double]?
  var selection: [String]?
  var dragging: String?

  /// Refuses presence peers must never be sent: a cursor that is not two finite numbers,
  /// a selection over 64 ids or with an id over 128 bytes, a dragging id over 128 bytes.
  func validate() throws {
    if let cursor, cursor.count != 2 || !cursor.allSatisfy(\.isFinite) {
      throw ProtocolError(code: "malformed", message: "presence.cursor is two finite numbers")
    }
    if let selection,
      selection.count > ProtocolLimits.maxListLength
        || !selection.allSatisfy(ProtocolLimits.isValidID)
    {
      throw ProtocolError(
        code: "malformed", message: "presence.selection is up to 64 ids of 1–128 bytes")
    }
    if let dragging, !ProtocolLimits.isValidID(dragging) {
      throw ProtocolError(
        code: "malformed", message: "presence.dragging is a node id of 1–128 bytes")
    }
  }
}

/// The id and list rules of the op validator, applied to ephemeral frames too.
enum ProtocolLimits {
  static let maxListLength = ValidationLimits.standard.maxListLength

  static func isValidID(_ id: String) -> Bool {
    (try? OpValidator().checkID(id, field: "id")) != nil
  }
}

/// `history`: stream committed ops with seq in from...to (a scrubber).
struct HistoryMessage: Decodable {
  var from: Int64
  var to: Int64?
}

/// A machine-readable refusal.
struct ProtocolError: Error {
  var code: String
  var message: String
}
