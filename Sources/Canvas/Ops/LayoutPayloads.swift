/// A non-linear map method.
public enum MapMethod: String, Hashable, Sendable, Codable, CaseIterable {
  case umap
  case tsne
}

/// One node's position on a map.
public struct MapPosition: Hashable, Sendable, Codable {
  /// The node.
  public var node: NodeID
  /// Map coordinates (arbitrary units; the canvas fits them to the screen).
  public var x: Float
  public var y: Float

  /// Makes a position.
  public init(node: NodeID, x: Float, y: Float) {
    self.node = node
    self.x = x
    self.y = y
  }
}

/// view.layout (server-authored): a map of the document's nodes. A full layout (`run` nil)
/// is computed by an operation over every live node and replaces the map; its own op id
/// names it. A placement (`run` set) adds or moves nodes in that layout: nodes created or
/// moved after it, placed by the method's transform. Positions are logged, so replay never
/// recomputes a map.
public struct ViewLayout: Hashable, Sendable, Codable {
  /// The full layout a placement belongs to; nil for a full layout.
  public var run: OpID?
  /// How the positions were computed.
  public var method: MapMethod
  /// The method's parameters, seed included.
  public var params: JSONValue
  /// Where each node sits.
  public var positions: [MapPosition]

  /// Makes a view.layout payload.
  public init(run: OpID?, method: MapMethod, params: JSONValue, positions: [MapPosition]) {
    self.run = run
    self.method = method
    self.params = params
    self.positions = positions
  }
}
