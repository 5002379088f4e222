import Canvas
import Latent

/// An op as a client sends it: the id it chose and a payload the server has not resolved
/// yet (typed texts without latents, moves as axis coordinates, axes as examples).
/// `Room.resolve` turns it into a loggable `Op`. The client's `actor` is ignored: the
/// server stamps the hello's.
struct ClientOp: Codable, Sendable, Equatable {
  var id: OpID
  var payload: ClientOpPayload

  /// The op's kind.
  var kind: OpKind { payload.kind }

  private enum CodingKeys: String, CodingKey { case id, kind, payload }

  init(id: OpID, payload: ClientOpPayload) {
    self.id = id
    self.payload = payload
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decode(OpID.self, forKey: .id)
    let name = try container.decode(String.self, forKey: .kind)
    guard let kind = OpKind(rawValue: name) else { throw ValidationError.unknownKind(name) }
    func body<Body: Decodable>(_ type: Body.Type) throws -> Body {
      try container.decode(type, forKey: .payload)
    }
    switch kind {
    case .nodeCreate: payload = .nodeCreate(try body(ClientOpPayload.NodeDraft.self))
    case .nodeMove: payload = .nodeMove(try body(ClientOpPayload.MoveRequest.self))
    case .nodeSetText: payload = .nodeSetText(try body(ClientOpPayload.TextEdit.self))
    case .nodeDecoded: throw ProtocolError.forbidden("node.decoded is written by the server only")
    case .nodeDelete: payload = .nodeDelete(try body(NodeDelete.self))
    case .axisCreate: payload = .axisCreate(try body(ClientOpPayload.AxisDraft.self))
    case .axisUpdate: payload = .axisUpdate(try body(AxisUpdate.self))
    case .axisDelete: payload = .axisDelete(try body(AxisDelete.self))
    case .viewBind: payload = .viewBind(try body(ViewBind.self))
    case .viewLayout:
      throw ProtocolError.forbidden(
        "view.layout is written by the server only: run the umap-layout or tsne-layout operation")
    case .opApply: payload = .opApply(try body(ClientOpPayload.ApplyRequest.self))
    case .featureName: payload = .featureName(try body(FeatureName.self))
    case .pluginsAllow: payload = .pluginsAllow(try body(PluginsAllow.self))
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(kind, forKey: .kind)
    switch payload {
    case .nodeCreate(let p): try container.encode(p, forKey: .payload)
    case .nodeMove(let p): try container.encode(p, forKey: .payload)
    case .nodeSetText(let p): try container.encode(p, forKey: .payload)
    case .nodeDelete(let p): try container.encode(p, forKey: .payload)
    case .axisCreate(let p): try container.encode(p, forKey: .payload)
    case .axisUpdate(let p): try container.encode(p, forKey: .payload)
    case .axisDelete(let p): try container.encode(p, forKey: .payload)
    case .viewBind(let p): try container.encode(p, forKey: .payload)
    case .opApply(let p): try container.encode(p, forKey: .payload)
    case .featureName(let p): try container.encode(p, forKey: .payload)
    case .pluginsAllow(let p): try container.encode(p, forKey: .payload)
    }
  }
}

/// A client op's payload, one case per kind a client may send (node.decoded is the
/// server's own and refused at decoding).
enum ClientOpPayload: Sendable, Equatable {
  case nodeCreate(NodeDraft)
  case nodeMove(MoveRequest)
  case nodeSetText(TextEdit)
  case nodeDelete(NodeDelete)
  case axisCreate(AxisDraft)
  case axisUpdate(AxisUpdate)
  case axisDelete(AxisDelete)
  case viewBind(ViewBind)
  case opApply(ApplyRequest)
  case featureName(FeatureName)
  case pluginsAllow(PluginsAllow)

  /// The op kind.
  var kind: OpKind {
    switch self {
    case .nodeCreate: .nodeCreate
    case .nodeMove: .nodeMove
    case .nodeSetText: .nodeSetText
    case .nodeDelete: .nodeDelete
    case .axisCreate: .axisCreate
    case .axisUpdate: .axisUpdate
    case .axisDelete: .axisDelete
    case .viewBind: .viewBind
    case .opApply: .opApply
    case .featureName: .featureName
    case .pluginsAllow: .pluginsAllow
    }
  }

  /// node.create: a text (the server embeds it) or a latent; origin defaults to typed.
  struct NodeDraft: Codable, Sendable, Equatable {
    var node: NodeID
    var text: String?
    var latent: LatentVector?
    var origin: NodeOrigin?
  }

  /// node.move: target coordinates on axes (the server resolves the latent).
  struct MoveRequest: Codable, Sendable, Equatable {
    var node: NodeID
    /// Target coordinates on axes (the Axes view); empty with `map`.
    var coordinates: [AxisCoordinate]
    /// A drop point on the map (the Map view): the latent becomes the distance-weighted
    /// mean of the latents of the nodes placed nearest that point.
    var map: MapTarget?

    init(node: NodeID, coordinates: [AxisCoordinate], map: MapTarget? = nil) {
      self.node = node
      self.coordinates = coordinates
      self.map = map
    }

    private enum CodingKeys: String, CodingKey { case node, coordinates, map }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      node = try container.decode(NodeID.self, forKey: .node)
      coordinates = try container.decodeIfPresent([AxisCoordinate].self, forKey: .coordinates) ?? []
      map = try container.decodeIfPresent(MapTarget.self, forKey: .map)
    }
  }

  /// A point on the document's map.
  struct MapTarget: Codable, Sendable, Equatable {
    var x: Float
    var y: Float
  }

  /// node.setText: new text (the server embeds it).
  struct TextEdit: Codable, Sendable, Equatable {
    var node: NodeID
    var text: String
  }

  /// axis.create: with a direction (and calibration) as is; without, the server computes
  /// it from `params.examples`, a pack axis (`provider: "pack"`), or a plugin's provider.
  struct AxisDraft: Codable, Sendable, Equatable {
    var axis: AxisID
    var name: String?
    var poles: AxisPoles?
    var provider: String?
    var params: JSONValue?
    var direction: LatentVector?
    var calibration: AxisCalibration?
  }

  /// op.apply: run a plugin operation on some nodes.
  struct ApplyRequest: Codable, Sendable, Equatable {
    var operation: String
    /// Absent means `{}`; present, it must be an object (`null` included is refused).
    var params: JSONValue?
    var inputs: [NodeID]?

    private enum CodingKeys: String, CodingKey { case operation, params, inputs }

    init(operation: String, params: JSONValue? = nil, inputs: [NodeID]? = nil) {
      self.operation = operation
      self.params = params
      self.inputs = inputs
    }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      operation = try container.decode(String.self, forKey: .operation)
      inputs = try container.decodeIfPresent([NodeID].self, forKey: .inputs)
      if container.contains(.params) {
        params =
          try container.decodeNil(forKey: .params)
          ? .null : try container.decode(JSONValue.self, forKey: .params)
      }
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(operation, forKey: .operation)
      try container.encodeIfPresent(params, forKey: .params)
      try container.encodeIfPresent(inputs, forKey: .inputs)
    }
  }
}
