import Canvas

/// How carefully an append checks references.
public enum AppendMode: Sendable {
  /// Live client ops: ops on unknown or deleted nodes and axes are refused.
  case live
  /// Server-authored ops and imports: only validation applies.
  case trusted
}

/// Ops for one document, appended together.
///
/// Making a request validates each op's content and encodes its stored form right away, on
/// the caller's thread, so the single writer thread only checks what needs the document's
/// state (lamport lead, duplicates, references) and writes.
public struct AppendRequest: Sendable {
  /// An op's stored form, or why its content is invalid.
  enum Prepared: Sendable {
    case encoded([UInt8])
    case invalid(ValidationError)
  }

  /// The document.
  public let document: DocumentID
  /// The ops, in the order they were received.
  public let ops: [Op]
  /// How carefully to check them.
  public let mode: AppendMode
  /// When true, the ops after the first are results of it (an op.apply's outputs): each is
  /// appended only if the first op is committed by this request, never after a refused or
  /// duplicate first op.
  public let gatedOnFirst: Bool
  /// The limits `prepared` was checked against.
  let limits: ValidationLimits
  /// One entry per op.
  let prepared: [Prepared]

  /// Makes an append request, validating and encoding its ops against `limits` (which
  /// should be the store's; the store re-checks when they differ).
  public init(
    document: DocumentID, ops: [Op], mode: AppendMode = .live,
    limits: ValidationLimits = .standard, gatedOnFirst: Bool = false
  ) {
    self.document = document
    self.ops = ops
    self.mode = mode
    self.gatedOnFirst = gatedOnFirst
    self.limits = limits
    let validator = OpValidator(limits: limits)
    prepared = ops.map { Self.prepare($0, validator) }
  }

  private static func prepare(_ op: Op, _ validator: OpValidator) -> Prepared {
    do throws(ValidationError) {
      try validator.validateContent(op)
      return .encoded(OpCodec.encode(op.payload))
    } catch {
      return .invalid(error)
    }
  }

  /// The same ops prepared against other limits.
  func prepared(for limits: ValidationLimits) -> AppendRequest {
    limits == self.limits
      ? self
      : AppendRequest(
        document: document, ops: ops, mode: mode, limits: limits, gatedOnFirst: gatedOnFirst)
  }
}

/// Why one op was refused. The rest of its batch is unaffected.
public enum Rejection: Error, Hashable, Sendable, CustomStringConvertible {
  /// The op failed validation.
  case invalid(ValidationError)
  /// The request named a document that does not exist.
  case unknownDocument(DocumentID)
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
  /// A result of a gated request whose first op was refused or already logged.
  case firstNotCommitted
  /// Another node owns the document now (PostgreSQL clusters): this node's lease was lost,
  /// so its append was fenced off. The client reconnects and is routed to the owner.
  case notOwner(DocumentID)

  /// A stable machine-readable code.
  public var code: String {
    switch self {
    case .invalid(let error): error.code
    case .unknownDocument: "unknown_document"
    case .unknownNode: "unknown_node"
    case .nodeDeleted: "node_deleted"
    case .nodeExists: "node_exists"
    case .unknownAxis: "unknown_axis"
    case .axisExists: "axis_exists"
    case .firstNotCommitted: "first_not_committed"
    case .notOwner: "not_owner"
    }
  }

  public var description: String {
    switch self {
    case .invalid(let error): error.description
    case .unknownDocument(let id): "no document with id '\(id)'"
    case .unknownNode(let id): "no node with id '\(id)'"
    case .nodeDeleted(let id): "node '\(id)' was deleted"
    case .nodeExists(let id): "a node with id '\(id)' already exists"
    case .unknownAxis(let id): "no axis with id '\(id)'"
    case .axisExists(let id): "an axis with id '\(id)' already exists"
    case .firstNotCommitted: "not logged: the op it results from was refused or already logged"
    case .notOwner(let id): "document '\(id)' is now served by another node; reconnect"
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
