import Canvas

/// An axis ready to use: a unit direction in the encoder's space and its calibration.
public struct BuiltAxis: Sendable, Equatable {
  /// The axis id.
  public var id: String
  /// Display name.
  public var name: String
  /// Pole labels.
  public var poles: AxisPoles
  /// Unit direction.
  public var direction: [Float]
  /// Maps raw projections to calibrated coordinates (poles at −1 and +1).
  public var calibration: AxisCalibration
  /// The pack and version it came from.
  public var pack: String
  /// The pack's version.
  public var version: String
  /// Where its data comes from.
  public var source: String?

  /// Makes a built axis.
  public init(
    id: String, name: String, poles: AxisPoles, direction: [Float], calibration: AxisCalibration,
    pack: String, version: String, source: String?
  ) {
    self.id = id
    self.name = name
    self.poles = poles
    self.direction = direction
    self.calibration = calibration
    self.pack = pack
    self.version = version
    self.source = source
  }

  /// The calibrated coordinate of a unit vector.
  public func coordinate(of latent: [Float]) -> Float {
    var raw: Float = 0
    for i in 0..<min(latent.count, direction.count) { raw += latent[i] * direction[i] }
    return calibration.coordinate(ofProjection: raw)
  }
}
