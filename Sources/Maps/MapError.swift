import LatentMath

/// Why a map could not be computed.
public enum MapError: Error, Equatable, CustomStringConvertible {
  /// Fewer points than the method needs.
  case tooFewPoints(count: Int, minimum: Int)
  /// A point holds NaN or an infinity.
  case nonFinite(row: Int)
  /// A parameter outside its documented range.
  case invalidParameter(String)
  /// New points do not have the map's dimension.
  case dimensionMismatch(expected: Int, got: Int)

  public var description: String {
    switch self {
    case .tooFewPoints(let count, let minimum):
      return "a map needs at least \(minimum) points (got \(count))"
    case .nonFinite(let row): return "point \(row) is not finite (NaN or infinity)"
    case .invalidParameter(let reason): return reason
    case .dimensionMismatch(let expected, let got):
      return "points have \(got) dimensions; the map was built on \(expected)"
    }
  }
}

/// What a long map computation is doing, for progress bars.
public struct MapProgress: Sendable, Equatable {
  /// The current step ("neighbours", "graph", "initialisation", "optimisation").
  public let stage: String
  /// Done within the stage, 0…1.
  public let fraction: Double
}

extension MapError {
  /// Checks points to place into a map built on `reference`: same dimension, all finite.
  static func validateNewPoints(_ points: Matrix, reference: Matrix) throws {
    guard points.columns == reference.columns else {
      throw MapError.dimensionMismatch(expected: reference.columns, got: points.columns)
    }
    try validate(points.values, rows: points.rows, columns: points.columns, minimum: 0)
  }

  /// Checks points before any work: enough rows, all finite.
  static func validate(_ points: [Float], rows: Int, columns: Int, minimum: Int) throws {
    guard rows >= minimum else { throw MapError.tooFewPoints(count: rows, minimum: minimum) }
    for r in 0..<rows {
      for c in 0..<columns where !points[r * columns + c].isFinite {
        throw MapError.nonFinite(row: r)
      }
    }
  }
}
