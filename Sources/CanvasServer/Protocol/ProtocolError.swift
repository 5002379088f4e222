import Canvas
import CanvasStore
import PluginHost

/// Every refusal the server sends, as a closed set. Each case has a stable wire `code`, a
/// message fit to show a user, and (for refusals of a kind HTTP has a word for) a status;
/// it renders its own `nack` (for an op) or `error` frame.
enum ProtocolError: Error, Equatable, CustomStringConvertible {
  /// The frame or request body does not match the protocol.
  case malformed(String)
  /// A frame type this server does not know.
  case unknownType(String)
  /// A frame other than `hello` before `hello`.
  case helloFirst
  /// A second `hello` on one connection.
  case helloOnce
  /// A protocol version this server does not speak.
  case protocolVersion(Int)
  /// A replica, actor or node id that breaks the id rule.
  case invalidID(String)
  /// The server's own replica or actor, claimed by a client.
  case reservedID
  /// Not allowed to this role (403).
  case forbidden(String)
  /// An op whose replica is not the connection's.
  case wrongReplica(claimed: ReplicaID, own: ReplicaID)
  /// No such node.
  case unknownNode(NodeID)
  /// No such axis (in the document, or among the loaded packs).
  case unknownAxis(String)
  /// No live feature with this id in the server's feature dictionary.
  case unknownFeature(String)
  /// A viewer named a document that does not exist.
  case unknownDocument(DocumentID)
  /// The server runs without what the request needs (an encoder, plugins).
  case unavailable(String)
  /// A request bigger than the server takes.
  case tooLarge(String)
  /// A list with more entries than the server takes.
  case tooMany(String)
  /// A number that is NaN or infinite.
  case nonFinite(String)
  /// Too many frames (429); retry after the given milliseconds.
  case rateLimited(retryAfterMs: Int)
  /// The op failed validation.
  case invalid(ValidationError)
  /// The store refused the op.
  case rejected(Rejection)
  /// An axis definition the server cannot build a usable axis from.
  case invalidAxis(String)
  /// A plugin operation refused or failed the request.
  case operation(OperationError)
  /// The commit failed; nothing of the op was logged.
  case commitFailed(String)
  /// The store failed to read or write.
  case store(String)
  /// The room is still opening and its backlog is full.
  case busy(String)
  /// Another node serves this document (PostgreSQL clusters); the connection closes with
  /// code 4010 and the client reconnects.
  case moved(String)
  /// A WebSocket path other than `/v1/docs/{docId}`.
  case badPath
  /// A server fault.
  case internalError(String)

  /// The stable machine-readable code.
  var code: String {
    switch self {
    case .malformed: "malformed"
    case .unknownType: "unknown_type"
    case .helloFirst: "hello_first"
    case .helloOnce: "hello_once"
    case .protocolVersion: "protocol_version"
    case .invalidID: "invalid_id"
    case .reservedID: "reserved_id"
    case .forbidden: "forbidden"
    case .wrongReplica: "wrong_replica"
    case .unknownNode: "unknown_node"
    case .unknownAxis: "unknown_axis"
    case .unknownFeature: "unknown_feature"
    case .unknownDocument: "unknown_document"
    case .unavailable: "unavailable"
    case .tooLarge: "too_large"
    case .tooMany: "too_many"
    case .nonFinite: "non_finite"
    case .rateLimited: "rate_limited"
    case .invalid(let error): error.code
    case .rejected(let rejection): rejection.code
    case .invalidAxis: "invalid_axis"
    case .operation(let error):
      switch error {
      case .unknownOperation: "unknown_operation"
      case .badInputs, .badParams: "bad_params"
      case .timedOut: "timed_out"
      case .disabled: "plugin_disabled"
      case .failed: "operation_failed"
      }
    case .commitFailed: "commit_failed"
    case .store: "store"
    case .busy: "busy"
    case .moved: "moved"
    case .badPath: "bad_path"
    case .internalError: "internal"
    }
  }

  /// The HTTP-like class of the refusal, sent in nacks where it applies.
  var status: Int? {
    switch self {
    case .forbidden: 403
    case .rateLimited: 429
    default: nil
    }
  }

  var description: String {
    switch self {
    case .malformed(let detail), .unavailable(let detail), .tooLarge(let detail),
      .tooMany(let detail), .nonFinite(let detail), .invalidAxis(let detail),
      .commitFailed(let detail), .store(let detail), .busy(let detail), .moved(let detail),
      .internalError(let detail), .invalidID(let detail):
      detail
    case .forbidden(let detail): "403: \(detail)"
    case .unknownType(let type): "unknown message type '\(type)'"
    case .helloFirst: #"send {"t":"hello"} first"#
    case .helloOnce: "this connection already said hello; reconnect to change replica or actor"
    case .protocolVersion: "this server speaks protocol \(ProtocolVersion.current)"
    case .reservedID:
      "replica '\(RoomCore.serverReplica)' and actor '\(RoomCore.serverActor)' are the server's own"
    case .wrongReplica(let claimed, let own):
      "op replica '\(claimed)' is not this connection's '\(own)'"
    case .unknownNode(let node): "no node with id '\(node)'"
    case .unknownAxis(let detail), .unknownFeature(let detail): detail
    case .unknownDocument(let document):
      "no document '\(document)' (viewers cannot create one)"
    case .rateLimited(let milliseconds):
      "429: too many frames; retry in \(milliseconds) ms"
    case .invalid(let error): error.description
    case .rejected(let rejection): rejection.description
    case .operation(let error): error.description
    case .badPath: "connect to /v1/docs/{docId}"
    }
  }

  /// The `nack` frame refusing the op `id`. An id that is not a valid op id (lamport 0,
  /// a replica breaking the id rule) is left out, so the nack itself stays well-formed.
  func nack(_ id: OpID?) -> ServerMessage {
    var retryAfterMs: Int?
    if case .rateLimited(let milliseconds) = self { retryAfterMs = milliseconds }
    let named = id.flatMap {
      $0.lamport > 0 && ProtocolLimits.isValidID($0.replica.rawValue) ? $0 : nil
    }
    return .nack(
      Nack(
        opId: named, code: code, message: description, retryAfterMs: retryAfterMs, status: status))
  }

  /// The `error` frame for a refused frame that is not an op.
  var errorFrame: ServerMessage { .error(code: code, message: description) }
}
