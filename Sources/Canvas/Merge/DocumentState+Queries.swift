extension DocumentState {
  /// The live node with this id, or nil if it is unknown, not yet created or deleted.
  public func node(_ id: NodeID) -> Node? {
    nodeRecords[id]?.node(id: id)
  }

  /// The live axis with this id, or nil if it is unknown, not yet created or deleted.
  public func axis(_ id: AxisID) -> Axis? {
    axisRecords[id]?.axis(id: id)
  }

  /// All live nodes, ordered by id.
  public var nodes: [Node] {
    nodeRecords.keys.sorted().compactMap { node($0) }
  }

  /// All live axes, ordered by id.
  public var axes: [Axis] {
    axisRecords.keys.sorted().compactMap { axis($0) }
  }

  /// True when the node exists and is not deleted; cheaper than `node(_:) != nil`.
  public func isLive(_ id: NodeID) -> Bool {
    guard let record = nodeRecords[id] else { return false }
    return !record.isDeleted && record.create != nil && record.latent != nil
  }

  /// True when the axis exists and is not deleted; cheaper than `axis(_:) != nil`.
  public func isLive(_ id: AxisID) -> Bool {
    guard let record = axisRecords[id] else { return false }
    return !record.isDeleted && record.created != nil
  }

  /// True when the node id was created and then deleted.
  public func isDeleted(_ id: NodeID) -> Bool {
    nodeRecords[id]?.isDeleted ?? false
  }

  /// The view bindings; a slot bound to an axis that is not live reads as unbound.
  public var view: ViewBindings {
    ViewBindings(
      x: viewX?.value.flatMap { axis($0) == nil ? nil : $0 },
      y: viewY?.value.flatMap { axis($0) == nil ? nil : $0 })
  }
}
