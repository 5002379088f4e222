/// Errors loading or using the sparse feature dictionary.
public enum FeatureError: Error, Equatable, CustomStringConvertible {
  /// The weights or the feature list cannot be read.
  case unreadable(String)
  /// The files disagree with each other or with the encoder.
  case inconsistent(String)
  /// No feature has this id (or it never fires).
  case unknownFeature(Int)
  /// A vector has the wrong length or is not finite.
  case badVector(String)

  public var description: String {
    switch self {
    case .unreadable(let detail): "cannot read the feature dictionary: \(detail)"
    case .inconsistent(let detail): "inconsistent feature dictionary: \(detail)"
    case .unknownFeature(let id): "no feature \(id)"
    case .badVector(let detail): "bad vector: \(detail)"
    }
  }
}
