import Canvas
import CanvasStore
import Latent

/// A committed op as peers see it: the logged op without its latents (`latent`,
/// `textLatent`, `direction`), its node's coordinates on every live axis added. Built
/// from the typed op in one pass; encoded once per broadcast.
struct WireOp: Encodable, Sendable {
  var seq: Int64
  var op: Body

  /// The op part of a wire op.
  struct Body: Encodable, Sendable {
    var op: Op
    var coords: NodeCoordinates?

    private enum CodingKeys: String, CodingKey { case id, actor, kind, payload }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(op.id, forKey: .id)
      try container.encode(op.actor, forKey: .actor)
      try container.encode(op.kind, forKey: .kind)
      try container.encode(WirePayload(payload: op.payload, coords: coords), forKey: .payload)
    }
  }

  /// The wire form of `entry` against `state` (the state its coordinates come from).
  init(_ entry: SequencedOp, state: DocumentState) {
    seq = entry.seq
    op = Body(
      op: entry.op, coords: entry.op.payload.node.flatMap { NodeCoordinates(of: $0, in: state) })
  }
}

/// Calibrated coordinates of a node on every live axis, by axis id: where it was put
/// (`at`) and where its text lands (`text`).
struct NodeCoordinates: Encodable, Sendable {
  struct Entry: Encodable, Sendable {
    var at: Double
    var text: Double?
  }

  var entries: [String: Entry]

  /// Coordinates as given.
  init(entries: [String: Entry]) { self.entries = entries }

  /// The coordinates of a live node; nil when the node is not live. A coordinate that is
  /// not finite is left out (validation keeps degenerate axes out of the log).
  init?(of node: NodeID, in state: DocumentState) {
    guard let live = state.node(node) else { return nil }
    let latent = live.latent.floats
    let text = live.textLatent?.floats
    var entries: [String: Entry] = [:]
    for axis in state.axes {
      let direction = axis.direction.floats
      let at = axis.calibration.coordinate(ofProjection: VectorMath.dot(latent, direction))
      guard at.isFinite else { continue }
      var entry = Entry(at: Double(at))
      if let text {
        let onText = axis.calibration.coordinate(ofProjection: VectorMath.dot(text, direction))
        if onText.isFinite { entry.text = Double(onText) }
      }
      entries[axis.id.rawValue] = entry
    }
    self.entries = entries
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(entries)
  }
}

/// A payload as peers see it: every field but the latents, and the node's coords.
private struct WirePayload: Encodable {
  var payload: OpPayload
  var coords: NodeCoordinates?

  private enum CodingKeys: String, CodingKey {
    case node, text, origin, coordinates, answers, fidelity, source, runnersUp, decoderVersion
    case axis, name, poles, provider, params, calibration, coords
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch payload {
    case .nodeCreate(let p):
      try container.encode(p.node, forKey: .node)
      try container.encodeIfPresent(p.text, forKey: .text)
      try container.encode(p.origin, forKey: .origin)
    case .nodeMove(let p):
      try container.encode(p.node, forKey: .node)
      try container.encode(p.coordinates, forKey: .coordinates)
    case .nodeSetText(let p):
      try container.encode(p.node, forKey: .node)
      try container.encode(p.text, forKey: .text)
    case .nodeDecoded(let p):
      try container.encode(p.node, forKey: .node)
      try container.encode(p.answers, forKey: .answers)
      try container.encode(p.text, forKey: .text)
      try container.encode(p.fidelity, forKey: .fidelity)
      try container.encode(p.source, forKey: .source)
      try container.encode(p.runnersUp, forKey: .runnersUp)
      try container.encode(p.decoderVersion, forKey: .decoderVersion)
    case .nodeDelete(let p):
      try container.encode(p.node, forKey: .node)
    case .axisCreate(let p):
      try container.encode(p.axis, forKey: .axis)
      try container.encode(p.name, forKey: .name)
      try container.encode(p.poles, forKey: .poles)
      try container.encode(p.provider, forKey: .provider)
      try container.encode(p.params, forKey: .params)
      try container.encode(p.calibration, forKey: .calibration)
    case .axisUpdate(let p):
      try container.encode(p.axis, forKey: .axis)
      try container.encodeIfPresent(p.name, forKey: .name)
      try container.encodeIfPresent(p.poles, forKey: .poles)
      try container.encodeIfPresent(p.provider, forKey: .provider)
      try container.encodeIfPresent(p.params, forKey: .params)
      try container.encodeIfPresent(p.calibration, forKey: .calibration)
    case .axisDelete(let p):
      try container.encode(p.axis, forKey: .axis)
    case .viewBind(let p):
      try p.encode(to: encoder)
    case .viewLayout(let p):
      try p.encode(to: encoder)
    case .featureName(let p):
      try p.encode(to: encoder)
    case .pluginsAllow(let p):
      try p.encode(to: encoder)
    case .opApply(let p):
      try p.encode(to: encoder)
    }
    try container.encodeIfPresent(coords, forKey: .coords)
  }
}

/// A snapshot's state: the rendered document without latents, each node with its coords.
struct SnapshotState: Encodable, Sendable {
  var view: DocumentStateView
  var coords: [NodeID: NodeCoordinates]

  init(_ state: DocumentState) {
    view = state.rendered(includeLatents: false)
    var coords: [NodeID: NodeCoordinates] = [:]
    for node in state.nodes { coords[node.id] = NodeCoordinates(of: node.id, in: state) }
    self.coords = coords
  }

  private enum CodingKeys: String, CodingKey {
    case maxLamport, view, nodes, axes, operations, map, featureNames, pluginAllowList
  }
  private enum NodeKeys: String, CodingKey { case coords }

  /// A rendered node with its coords beside its fields.
  private struct NodeEntry: Encodable {
    var node: DocumentStateView.NodeView
    var coords: NodeCoordinates?

    func encode(to encoder: any Encoder) throws {
      try node.encode(to: encoder)
      var container = encoder.container(keyedBy: NodeKeys.self)
      try container.encodeIfPresent(coords, forKey: .coords)
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(view.maxLamport, forKey: .maxLamport)
    try container.encode(view.view, forKey: .view)
    try container.encode(
      view.nodes.map { NodeEntry(node: $0, coords: coords[$0.id]) }, forKey: .nodes)
    try container.encode(view.axes, forKey: .axes)
    try container.encode(view.operations, forKey: .operations)
    try container.encodeIfPresent(view.map, forKey: .map)
    try container.encodeIfPresent(view.featureNames, forKey: .featureNames)
    try container.encodeIfPresent(view.pluginAllowList, forKey: .pluginAllowList)
  }
}
