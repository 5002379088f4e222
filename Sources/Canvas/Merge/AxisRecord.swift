import LatentMath

/// Everything the fold knows about one axis id: per-field LWW registers plus a tombstone.
public struct AxisRecord: Hashable, Sendable {
  /// Set by axis.delete; a deleted record keeps no other data.
  public var isDeleted = false
  /// The axis.create's id, once it has arrived (LWW if created twice).
  public var created: OpID?
  /// Display name.
  public var name: Stamped<String>?
  /// Pole labels.
  public var poles: Stamped<AxisPoles>?
  /// Provider name.
  public var provider: Stamped<String>?
  /// Provider parameters.
  public var params: Stamped<JSONValue>?
  /// Unit direction.
  public var direction: Stamped<LatentVector>?
  /// Calibration.
  public var calibration: Stamped<AxisCalibration>?

  /// An empty record.
  public init() {}

  /// The record of a deleted axis.
  public static let tombstone: AxisRecord = {
    var record = AxisRecord()
    record.isDeleted = true
    return record
  }()
}
