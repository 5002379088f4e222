/// A document's map: the latest full layout (last writer wins by op id) and the
/// placements into it. Placements are kept per (layout, node), last writer wins; those of a
/// layout older than the latest are dropped, whichever arrives first, so the fold stays
/// order-independent.
public struct MapRecord: Hashable, Sendable {
  /// The latest full layout, stamped with its op id.
  public var layout: Stamped<ViewLayout>?
  /// Placements by layout and node.
  public var placements: [PlacementKey: Stamped<MapPosition>] = [:]

  /// Identifies one node's placement in one layout.
  public struct PlacementKey: Hashable, Sendable, Comparable {
    /// The full layout's op id.
    public var run: OpID
    /// The node.
    public var node: NodeID

    /// Makes a key.
    public init(run: OpID, node: NodeID) {
      self.run = run
      self.node = node
    }

    public static func < (a: Self, b: Self) -> Bool {
      a.run != b.run ? a.run < b.run : a.node < b.node
    }
  }

  /// An empty map.
  public init() {}

  /// Folds a view.layout op.
  mutating func apply(_ payload: ViewLayout, id: OpID) {
    if let run = payload.run {
      if let current = layout?.stamp, run < current { return }
      for position in payload.positions {
        placements[PlacementKey(run: run, node: position.node)].mergeLastWriter(
          Stamped(position, at: id))
      }
    } else {
      layout.mergeLastWriter(Stamped(payload, at: id))
      guard let current = layout?.stamp else { return }
      placements = placements.filter { $0.key.run >= current }
    }
  }

  /// The id of the current full layout.
  public var run: OpID? { layout?.stamp }

  /// Every positioned node of the current layout (placements override the layout's own
  /// positions); deleted nodes are the caller's to skip.
  public var positions: [NodeID: MapPosition] {
    guard let layout else { return [:] }
    var out: [NodeID: MapPosition] = [:]
    for position in layout.value.positions { out[position.node] = position }
    for (key, placed) in placements where key.run == layout.stamp {
      out[key.node] = placed.value
    }
    return out
  }
}
