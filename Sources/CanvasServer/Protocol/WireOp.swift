import Canvas
import CanvasStore
import Latent

/// A committed op as peers see it: the logged op without its latents (`latent`,
/// `textLatent`, `direction`); a node op with its node's coordinates on every live axis,
/// an axis.create or axis.update with every live node's coordinate on that axis, so no
/// client refetches the document to place its cards. Built from the typed op in one pass;
/// encoded once per broadcast.
struct WireOp: Encodable, Sendable {
  var seq: Int64
  var op: Body

  /// The op part of a wire op.
  struct Body: Encodable, Sendable {
    var op: Op
    var coords: NodeCoordinates?
    var axisCoords: AxisCoordinates?

    private enum CodingKeys: String, CodingKey { case id, actor, kind, payload }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(op.id, forKey: .id)
      try container.encode(op.actor, forKey: .actor)
      try container.encode(op.kind, forKey: .kind)
      try container.encode(
        WirePayload(payload: op.payload, coords: coords, axisCoords: axisCoords), forKey: .payload)
    }
  }

  /// The wire form of `entry` against `state` (the state its coordinates come from).
  init(_ entry: SequencedOp, state: DocumentState) {
    seq = entry.seq
    let axisCoords: AxisCoordinates?
    switch entry.op.payload {
    case .axisCreate(let p): axisCoords = AxisCoordinates(of: p.axis, in: state)
    case .axisUpdate(let p): axisCoords = AxisCoordinates(of: p.axis, in: state)
    default: axisCoords = nil
    }
    op = Body(
      op: entry.op, coords: entry.op.payload.node.flatMap { NodeCoordinates(of: $0, in: state) },
      axisCoords: axisCoords)
  }

  /// True for the ops whose sender needs the op as peers see it in its ack: an axis op's
  /// logged name, poles and node coordinates are the server's, not what the client sent.
  var acksWithOp: Bool { op.axisCoords != nil }
}

/// Calibrated coordinates of a node on every live axis, by axis id: where it was put
/// (`at`) and where its text lands (`text`).
struct NodeCoordinates: Encodable, Sendable {
  struct Entry: Encodable, Sendable {
    var at: Double
    var text: Double?

    init(at: Double, text: Double? = nil) {
      self.at = at
      self.text = text
    }

    /// A node's coordinate on `axis` (whose direction's floats are `direction`); nil when
    /// it is not finite (validation keeps degenerate axes out of the log).
    init?(latent: [Float], text: [Float]?, on direction: [Float], _ axis: Axis) {
      let at = axis.calibration.coordinate(ofProjection: VectorMath.dot(latent, direction))
      guard at.isFinite else { return nil }
      self.at = Double(at)
      if let text {
        let onText = axis.calibration.coordinate(ofProjection: VectorMath.dot(text, direction))
        if onText.isFinite { self.text = Double(onText) }
      }
    }
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
      entries[axis.id.rawValue] = Entry(latent: latent, text: text, on: axis.direction.floats, axis)
    }
    self.entries = entries
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(entries)
  }
}

/// Every live node's calibrated coordinate on one axis, by node id: what an axis.create or
/// axis.update changes on every card.
struct AxisCoordinates: Encodable, Sendable {
  var entries: [String: NodeCoordinates.Entry]

  /// The live nodes' coordinates on a live axis; nil when the axis is not live.
  init?(of id: AxisID, in state: DocumentState) {
    guard let axis = state.axis(id) else { return nil }
    let direction = axis.direction.floats
    var entries: [String: NodeCoordinates.Entry] = [:]
    for node in state.nodes {
      entries[node.id.rawValue] = NodeCoordinates.Entry(
        latent: node.latent.floats, text: node.textLatent?.floats, on: direction, axis)
    }
    self.entries = entries
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(entries)
  }
}

/// A payload as peers see it: every field but the latents, and the node's coords (a node
/// op) or the nodes' coordinates on the axis (an axis create or update).
private struct WirePayload: Encodable {
  var payload: OpPayload
  var coords: NodeCoordinates?
  var axisCoords: AxisCoordinates?

  private enum CodingKeys: String, CodingKey {
    case node, text, origin, coordinates, answers, fidelity, source, runnersUp, decoderVersion
    case axis, name, poles, provider, params, calibration, coords, axisCoords
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
    try container.encodeIfPresent(axisCoords, forKey: .axisCoords)
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
