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

/// `presence`: ephemeral cursor and selection.
struct PresenceMessage: Codable {
  var cursor: [Double]?
  var selection: [String]?
  var dragging: String?
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
