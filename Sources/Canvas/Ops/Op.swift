/// The payload of an op, one case per kind.
public enum OpPayload: Hashable, Sendable {
  case nodeCreate(NodeCreate)
  case nodeMove(NodeMove)
  case nodeSetText(NodeSetText)
  case nodeDecoded(NodeDecoded)
  case nodeDelete(NodeDelete)
  case axisCreate(AxisCreate)
  case axisUpdate(AxisUpdate)
  case axisDelete(AxisDelete)
  case viewBind(ViewBind)
  case viewLayout(ViewLayout)
  case featureName(FeatureName)
  case pluginsAllow(PluginsAllow)
  case opApply(OpApply)

  /// The op kind of this payload.
  public var kind: OpKind {
    switch self {
    case .nodeCreate: .nodeCreate
    case .nodeMove: .nodeMove
    case .nodeSetText: .nodeSetText
    case .nodeDecoded: .nodeDecoded
    case .nodeDelete: .nodeDelete
    case .axisCreate: .axisCreate
    case .axisUpdate: .axisUpdate
    case .axisDelete: .axisDelete
    case .viewBind: .viewBind
    case .viewLayout: .viewLayout
    case .featureName: .featureName
    case .pluginsAllow: .pluginsAllow
    case .opApply: .opApply
    }
  }

  /// The node this payload targets, for node ops.
  public var node: NodeID? {
    switch self {
    case .nodeCreate(let p): p.node
    case .nodeMove(let p): p.node
    case .nodeSetText(let p): p.node
    case .nodeDecoded(let p): p.node
    case .nodeDelete(let p): p.node
    default: nil
    }
  }

  /// The axis this payload targets, for axis ops.
  public var axis: AxisID? {
    switch self {
    case .axisCreate(let p): p.axis
    case .axisUpdate(let p): p.axis
    case .axisDelete(let p): p.axis
    default: nil
    }
  }
}

/// One entry of a document's op log.
public struct Op: Hashable, Sendable {
  /// Unique id and LWW order.
  public var id: OpID
  /// The user (or "server") on whose behalf it was made.
  public var actor: String
  /// What it does.
  public var payload: OpPayload

  /// Makes an op.
  public init(id: OpID, actor: String, payload: OpPayload) {
    self.id = id
    self.actor = actor
    self.payload = payload
  }

  /// The op's kind.
  public var kind: OpKind { payload.kind }
}
