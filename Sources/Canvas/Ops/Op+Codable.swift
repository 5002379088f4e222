/// In JSON a slot that is absent is unchanged, `null` clears it, and a string binds it.
extension ViewBind: Codable {
  private enum CodingKeys: String, CodingKey { case x, y }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    x = try Self.decodeChange(container, .x)
    y = try Self.decodeChange(container, .y)
  }

  private static func decodeChange(
    _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
  ) throws -> BindingChange? {
    guard container.contains(key) else { return nil }
    if try container.decodeNil(forKey: key) { return .clear }
    return .bind(try container.decode(AxisID.self, forKey: key))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    for (key, change) in [(CodingKeys.x, x), (.y, y)] {
      switch change {
      case nil: break
      case .clear?: try container.encodeNil(forKey: key)
      case .bind(let axis)?: try container.encode(axis, forKey: key)
      }
    }
  }
}

/// The JSON form of an op: `{"id": {"lamport", "replica"}, "actor", "kind", "payload"}`.
/// Used for NDJSON export/import and on the wire. An unknown kind throws
/// `ValidationError.unknownKind`.
extension Op: Codable {
  private enum CodingKeys: String, CodingKey { case id, actor, kind, payload }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decode(OpID.self, forKey: .id)
    actor = try container.decode(String.self, forKey: .actor)
    let kindName = try container.decode(String.self, forKey: .kind)
    guard let kind = OpKind(rawValue: kindName) else {
      throw ValidationError.unknownKind(kindName)
    }
    payload = try OpPayload.decode(kind, from: container, forKey: .payload)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id, forKey: .id)
    try container.encode(actor, forKey: .actor)
    try container.encode(kind, forKey: .kind)
    switch payload {
    case .nodeCreate(let p): try container.encode(p, forKey: .payload)
    case .nodeMove(let p): try container.encode(p, forKey: .payload)
    case .nodeSetText(let p): try container.encode(p, forKey: .payload)
    case .nodeDecoded(let p): try container.encode(p, forKey: .payload)
    case .nodeDelete(let p): try container.encode(p, forKey: .payload)
    case .axisCreate(let p): try container.encode(p, forKey: .payload)
    case .axisUpdate(let p): try container.encode(p, forKey: .payload)
    case .axisDelete(let p): try container.encode(p, forKey: .payload)
    case .viewBind(let p): try container.encode(p, forKey: .payload)
    case .viewLayout(let p): try container.encode(p, forKey: .payload)
    case .featureName(let p): try container.encode(p, forKey: .payload)
    case .pluginsAllow(let p): try container.encode(p, forKey: .payload)
    case .opApply(let p): try container.encode(p, forKey: .payload)
    }
  }
}

extension OpPayload {
  /// Decodes the payload of a known kind from a keyed container.
  static func decode<Key: CodingKey>(
    _ kind: OpKind, from container: KeyedDecodingContainer<Key>, forKey key: Key
  ) throws -> OpPayload {
    switch kind {
    case .nodeCreate: .nodeCreate(try container.decode(NodeCreate.self, forKey: key))
    case .nodeMove: .nodeMove(try container.decode(NodeMove.self, forKey: key))
    case .nodeSetText: .nodeSetText(try container.decode(NodeSetText.self, forKey: key))
    case .nodeDecoded: .nodeDecoded(try container.decode(NodeDecoded.self, forKey: key))
    case .nodeDelete: .nodeDelete(try container.decode(NodeDelete.self, forKey: key))
    case .axisCreate: .axisCreate(try container.decode(AxisCreate.self, forKey: key))
    case .axisUpdate: .axisUpdate(try container.decode(AxisUpdate.self, forKey: key))
    case .axisDelete: .axisDelete(try container.decode(AxisDelete.self, forKey: key))
    case .viewBind: .viewBind(try container.decode(ViewBind.self, forKey: key))
    case .viewLayout: .viewLayout(try container.decode(ViewLayout.self, forKey: key))
    case .featureName: .featureName(try container.decode(FeatureName.self, forKey: key))
    case .pluginsAllow: .pluginsAllow(try container.decode(PluginsAllow.self, forKey: key))
    case .opApply: .opApply(try container.decode(OpApply.self, forKey: key))
    }
  }
}
