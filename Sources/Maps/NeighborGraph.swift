/// The k nearest neighbours of each of `count` points, nearest first, by cosine distance
/// (1 − cosine, never negative). A point is never its own neighbour.
public struct NeighborGraph: Sendable, Equatable {
  /// Number of points (rows).
  public let count: Int
  /// Neighbours per point.
  public let k: Int
  /// `count × k` neighbour indices, row after row, nearest first.
  public var indices: [Int32]
  /// `count × k` cosine distances matching `indices`.
  public var distances: [Float]

  /// Wraps precomputed rows; both arrays must hold `count × k` values.
  public init(count: Int, k: Int, indices: [Int32], distances: [Float]) {
    precondition(indices.count == count * k && distances.count == count * k, "graph shape")
    self.count = count
    self.k = k
    self.indices = indices
    self.distances = distances
  }

  /// The neighbours of point `i`, nearest first.
  public func neighbors(of i: Int) -> ArraySlice<Int32> { indices[i * k..<(i + 1) * k] }
}
