/// The state of a document: a pure function of the *set* of ops folded into it.
///
/// `apply` is commutative and idempotent: folding the same ops in any order, with any
/// repeats, gives an equal state. Ops for entities not yet created are kept in the
/// entity's record and take effect when the create arrives.
public struct DocumentState: Hashable, Sendable {
  /// Every node id seen, including deleted ones (tombstones) and not-yet-created ones.
  public var nodeRecords: [NodeID: NodeRecord] = [:]
  /// Every axis id seen.
  public var axisRecords: [AxisID: AxisRecord] = [:]
  /// The x slot binding (nil value: explicitly cleared).
  public var viewX: Stamped<AxisID?>?
  /// The y slot binding.
  public var viewY: Stamped<AxisID?>?
  /// The map layout and its placements.
  public var map = MapRecord()
  /// The document's names for features (feature.name), per dictionary and feature.
  public var featureNames: [FeatureKey: Stamped<String>] = [:]
  /// The owner's restriction of the plugins that may run (plugins.allow); nil inside: none.
  public var pluginAllowList: Stamped<[String]?>?
  /// The plugin operations that ran, by op id.
  public var operations: [OpID: OpApply] = [:]
  /// The largest lamport seen.
  public var maxLamport: UInt64 = 0

  /// An empty document.
  public init() {}

  /// Folds a sequence of ops into an empty state.
  public init(folding ops: some Sequence<Op>) {
    for op in ops { apply(op) }
  }

  /// Folds one op into the state, following the merge rules in DESIGN.md.
  public mutating func apply(_ op: Op) {
    maxLamport = max(maxLamport, op.id.lamport)
    switch op.payload {
    case .nodeCreate(let p):
      updateNode(p.node) { $0.applyCreate(p, id: op.id) }
    case .nodeMove(let p):
      guard let latent = p.latent else { return }
      updateNode(p.node) { $0.applyLatentWrite(latent, text: nil, id: op.id) }
    case .nodeSetText(let p):
      guard let latent = p.latent else { return }
      updateNode(p.node) { $0.applyLatentWrite(latent, text: p.text, id: op.id) }
    case .nodeDecoded(let p):
      updateNode(p.node) { $0.applyDecode(p, id: op.id) }
    case .nodeDelete(let p):
      nodeRecords[p.node] = .tombstone
    case .axisCreate(let p):
      updateAxis(p.axis) { $0.applyCreate(p, id: op.id) }
    case .axisUpdate(let p):
      updateAxis(p.axis) { $0.applyUpdate(p, id: op.id) }
    case .axisDelete(let p):
      axisRecords[p.axis] = .tombstone
    case .viewBind(let p):
      if let x = p.x { viewX.mergeLastWriter(Stamped(x.axis, at: op.id)) }
      if let y = p.y { viewY.mergeLastWriter(Stamped(y.axis, at: op.id)) }
    case .viewLayout(let p):
      map.apply(p, id: op.id)
    case .featureName(let p):
      featureNames[p.key].mergeLastWriter(Stamped(p.name, at: op.id))
    case .pluginsAllow(let p):
      pluginAllowList.mergeLastWriter(Stamped(p.plugins, at: op.id))
    case .opApply(let p):
      operations[op.id] = p
    }
  }

  /// Mutates the record in place (one hash, no copy); tombstones ignore every change.
  private mutating func updateNode(_ id: NodeID, _ change: (inout NodeRecord) -> Void) {
    Self.update(&nodeRecords[id, default: NodeRecord()], isDeleted: \.isDeleted, change)
  }

  private mutating func updateAxis(_ id: AxisID, _ change: (inout AxisRecord) -> Void) {
    Self.update(&axisRecords[id, default: AxisRecord()], isDeleted: \.isDeleted, change)
  }

  private static func update<R>(
    _ record: inout R, isDeleted: KeyPath<R, Bool>, _ change: (inout R) -> Void
  ) {
    if !record[keyPath: isDeleted] { change(&record) }
  }
}

extension BindingChange {
  /// The bound axis, or nil for `.clear`.
  var axis: AxisID? {
    switch self {
    case .bind(let axis): axis
    case .clear: nil
    }
  }
}
