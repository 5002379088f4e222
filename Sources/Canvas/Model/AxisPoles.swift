/// The labels of an axis's two ends, drawn on the canvas.
public struct AxisPoles: Hashable, Sendable, Codable {
  /// Label of the end that calibrates to −1.
  public var negative: String
  /// Label of the end that calibrates to +1.
  public var positive: String

  /// Makes pole labels.
  public init(negative: String, positive: String) {
    self.negative = negative
    self.positive = positive
  }
}

/// Maps a raw projection onto an axis to the calibrated scale: the negative pole's mean
/// projection maps to −1 and the positive pole's to +1.
public struct AxisCalibration: Hashable, Sendable, Codable {
  /// Mean raw projection of the negative pole's examples.
  public var negativeMean: Float
  /// Mean raw projection of the positive pole's examples.
  public var positiveMean: Float

  /// Makes a calibration.
  public init(negativeMean: Float, positiveMean: Float) {
    self.negativeMean = negativeMean
    self.positiveMean = positiveMean
  }

  /// The least distance between the two means: closer poles make every coordinate blow up.
  public static let minimumSpan: Float = 1e-4
  /// The largest magnitude of a mean (raw projections of unit vectors lie in [−1, 1]).
  public static let maximumMagnitude: Float = 4

  /// Whether these means make a calibration whose coordinates stay finite and meaningful.
  public static func isUsable(negative: Float, positive: Float) -> Bool {
    negative.isFinite && positive.isFinite && abs(negative) <= maximumMagnitude
      && abs(positive) <= maximumMagnitude && abs(positive - negative) >= minimumSpan
  }

  /// Whether this calibration is usable (see `isUsable(negative:positive:)`).
  public var isUsable: Bool { Self.isUsable(negative: negativeMean, positive: positiveMean) }

  /// The identity calibration (raw −1 ↦ −1, raw +1 ↦ +1).
  public static let identity = AxisCalibration(negativeMean: -1, positiveMean: 1)

  /// Calibrated coordinate of a raw projection.
  public func coordinate(ofProjection raw: Float) -> Float {
    let span = positiveMean - negativeMean
    guard span != 0 else { return 0 }
    return (2 * (raw - negativeMean) / span) - 1
  }

  /// Raw projection that a calibrated coordinate stands for.
  public func projection(ofCoordinate value: Float) -> Float {
    negativeMean + (value + 1) / 2 * (positiveMean - negativeMean)
  }
}
