import Canvas

/// How carefully an append checks references.
public enum AppendMode: Sendable {
  /// Live client ops: ops on unknown or deleted nodes and axes are refused.
  case live
  /// Server-authored ops and imports: only validation applies.
  case trusted
}

/// Ops for one document, appended together.
public struct AppendRequest: Sendable {
  /// The document.
  public var document: DocumentID
  /// The ops, in the order they were received.
  public var ops: [Op]
  /// How carefully to check them.
  public var mode: AppendMode

  /// Makes an append request.
  public init(document: DocumentID, ops: [Op], mode: AppendMode = .live) {
    self.document = document
    self.ops = ops
    self.mode = mode
  }
}

/// Why one op was refused. The rest of its batch is unaffected.
public enum Rejection: Error, Hashable, Sendable, CustomStringConvertible {
  /// The op failed validation.
  case invalid(ValidationError)
  /// The node id has never been created.
  case unknownNode(NodeID)
  /// The node was deleted.
  case nodeDeleted(NodeID)
  /// node.create reused an existing node id.
  case nodeExists(NodeID)
  /// The axis id has never been created, or was deleted.
  case unknownAxis(AxisID)
  /// axis.create reused an existing axis id.
  case axisExists(AxisID)

  /// A stable machine-readable code.
  public var code: String {
    switch self {
    case .invalid(let error): error.code
    case .unknownNode: "unknown_node"
    case .nodeDeleted: "node_deleted"
    case .nodeExists: "node_exists"
    case .unknownAxis: "unknown_axis"
    case .axisExists: "axis_exists"
    }
  }

  public var description: String {
    switch self {
    case .invalid(let error): error.description
    case .unknownNode(let id): "no node with id '\(id)'"
    case .nodeDeleted(let id): "node '\(id)' was deleted"
    case .nodeExists(let id): "a node with id '\(id)' already exists"
    case .unknownAxis(let id): "no axis with id '\(id)'"
    case .axisExists(let id): "an axis with id '\(id)' already exists"
    }
  }
}

/// What happened to one op of an append.
public enum AppendOutcome: Hashable, Sendable {
  /// Committed at this seq; durable once the append returns.
  case committed(seq: Int64)
  /// Already in the log (same op id) at this seq; nothing changed.
  case duplicate(seq: Int64)
  /// Refused; nothing was written for it.
  case rejected(Rejection)

  /// The seq for committed and duplicate ops.
  public var seq: Int64? {
    switch self {
    case .committed(let seq), .duplicate(let seq): seq
    case .rejected: nil
    }
  }
}
