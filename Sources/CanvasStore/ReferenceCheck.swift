import Canvas

/// The live-op reference rules. Only the store applies them, because only it has a total
/// order: in the pure model an op for an unseen entity is simply held.
enum ReferenceCheck {
  static func check(_ payload: OpPayload, against state: DocumentState) -> Rejection? {
    switch payload {
    case .nodeCreate(let p):
      return state.nodeRecords[p.node] == nil ? nil : .nodeExists(p.node)
    case .nodeMove(let p):
      return liveNode(p.node, in: state)
        ?? p.coordinates.lazy.compactMap { liveAxis($0.axis, in: state) }.first
    case .nodeSetText(let p):
      return liveNode(p.node, in: state)
    case .nodeDecoded(let p):
      return liveNode(p.node, in: state)
    case .nodeDelete(let p):
      return liveNode(p.node, in: state)
    case .axisCreate(let p):
      return state.axisRecords[p.axis] == nil ? nil : .axisExists(p.axis)
    case .axisUpdate(let p):
      return liveAxis(p.axis, in: state)
    case .axisDelete(let p):
      return liveAxis(p.axis, in: state)
    case .viewBind(let p):
      return [p.x, p.y].lazy.compactMap { change -> Rejection? in
        guard case .bind(let axis)? = change else { return nil }
        return liveAxis(axis, in: state)
      }.first
    case .viewLayout:
      // A layout may name nodes deleted while it was computed; the fold skips them.
      return nil
    case .featureName, .pluginsAllow:
      // Names a feature of a dictionary, not an entity of the document.
      return nil
    case .opApply(let p):
      return p.inputs.lazy.compactMap { liveNode($0, in: state) }.first
    }
  }

  private static func liveNode(_ id: NodeID, in state: DocumentState) -> Rejection? {
    if state.isLive(id) { return nil }
    return state.isDeleted(id) ? .nodeDeleted(id) : .unknownNode(id)
  }

  private static func liveAxis(_ id: AxisID, in state: DocumentState) -> Rejection? {
    state.isLive(id) ? nil : .unknownAxis(id)
  }
}
