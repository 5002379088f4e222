import LatentMath

/// axis.create: a semantic axis with its computed direction, so replay never calls a plugin.
public struct AxisCreate: Hashable, Sendable, Codable {
  /// The new axis.
  public var axis: AxisID
  /// Display name.
  public var name: String
  /// Labels of its two ends.
  public var poles: AxisPoles
  /// The provider that computed it (e.g. "examples", or a plugin's provider name).
  public var provider: String
  /// The provider's parameters (e.g. the example sentences per pole).
  public var params: JSONValue
  /// The unit direction.
  public var direction: LatentVector
  /// Maps raw projections to calibrated coordinates.
  public var calibration: AxisCalibration

  /// Makes an axis.create payload.
  public init(
    axis: AxisID, name: String, poles: AxisPoles, provider: String, params: JSONValue,
    direction: LatentVector, calibration: AxisCalibration
  ) {
    self.axis = axis
    self.name = name
    self.poles = poles
    self.provider = provider
    self.params = params
    self.direction = direction
    self.calibration = calibration
  }
}

/// axis.update: changes some of an axis's fields; each field is its own LWW register.
public struct AxisUpdate: Hashable, Sendable, Codable {
  /// The axis.
  public var axis: AxisID
  /// New display name, if changed.
  public var name: String?
  /// New pole labels, if changed.
  public var poles: AxisPoles?
  /// New provider, if changed.
  public var provider: String?
  /// New provider parameters, if changed.
  public var params: JSONValue?
  /// New direction, if recomputed.
  public var direction: LatentVector?
  /// New calibration, if recomputed.
  public var calibration: AxisCalibration?

  /// Makes an axis.update payload.
  public init(
    axis: AxisID, name: String? = nil, poles: AxisPoles? = nil, provider: String? = nil,
    params: JSONValue? = nil, direction: LatentVector? = nil, calibration: AxisCalibration? = nil
  ) {
    self.axis = axis
    self.name = name
    self.poles = poles
    self.provider = provider
    self.params = params
    self.direction = direction
    self.calibration = calibration
  }
}

/// axis.delete: a tombstone for an axis.
public struct AxisDelete: Hashable, Sendable, Codable {
  /// The deleted axis.
  public var axis: AxisID

  /// Makes an axis.delete payload.
  public init(axis: AxisID) { self.axis = axis }
}
