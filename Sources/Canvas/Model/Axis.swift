import LatentMath

/// A live semantic axis, derived from its record.
public struct Axis: Hashable, Sendable {
  /// The axis's id.
  public var id: AxisID
  /// Display name.
  public var name: String
  /// Pole labels.
  public var poles: AxisPoles
  /// Provider that computed the direction.
  public var provider: String
  /// Provider parameters.
  public var params: JSONValue
  /// Unit direction.
  public var direction: LatentVector
  /// Raw-projection calibration.
  public var calibration: AxisCalibration
}

extension AxisRecord {
  /// The live axis, or nil if deleted or not yet created.
  func axis(id: AxisID) -> Axis? {
    guard !isDeleted, created != nil, let name, let poles, let provider, let params,
      let direction, let calibration
    else { return nil }
    return Axis(
      id: id, name: name.value, poles: poles.value, provider: provider.value,
      params: params.value, direction: direction.value, calibration: calibration.value)
  }
}
