extension AxisRecord {
  mutating func applyCreate(_ payload: AxisCreate, id: OpID) {
    if created.map({ $0 < id }) ?? true { created = id }
    name.mergeLastWriter(Stamped(payload.name, at: id))
    poles.mergeLastWriter(Stamped(payload.poles, at: id))
    provider.mergeLastWriter(Stamped(payload.provider, at: id))
    params.mergeLastWriter(Stamped(payload.params, at: id))
    direction.mergeLastWriter(Stamped(payload.direction, at: id))
    calibration.mergeLastWriter(Stamped(payload.calibration, at: id))
  }

  mutating func applyUpdate(_ payload: AxisUpdate, id: OpID) {
    if let value = payload.name { name.mergeLastWriter(Stamped(value, at: id)) }
    if let value = payload.poles { poles.mergeLastWriter(Stamped(value, at: id)) }
    if let value = payload.provider { provider.mergeLastWriter(Stamped(value, at: id)) }
    if let value = payload.params { params.mergeLastWriter(Stamped(value, at: id)) }
    if let value = payload.direction { direction.mergeLastWriter(Stamped(value, at: id)) }
    if let value = payload.calibration { calibration.mergeLastWriter(Stamped(value, at: id)) }
  }
}
