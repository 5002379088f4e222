import LatentMath

/// How faithfully a 2-D layout keeps the input's neighbourhoods.
public enum MapQuality {
  /// Trustworthiness at `k` (Venna & Kaski; scikit-learn's `trustworthiness`): 1 minus a
  /// penalty for every layout neighbour that is not among the input neighbours, weighted
  /// by how far down the input ranking it is. Input distances are cosine. O(n²·k): for
  /// tests and small maps (the benchmark uses scikit-learn's on both sides).
  public static func trustworthiness(points: Matrix, layout: [Float], k: Int) -> Double {
    let n = points.rows
    guard n > 2 * k + 1, layout.count == 2 * n else { return 0 }
    let unit = NearestNeighbors.normalizedRows(points)
    var similarity = [Float](repeating: 0, count: n * n)
    unit.values.withUnsafeBufferPointer { u in
      similarity.withUnsafeMutableBufferPointer { s in
        BLAS.gemmTransposedB(
          m: n, n: n, k: unit.columns, a: u.baseAddress!, lda: unit.columns, b: u.baseAddress!,
          ldb: unit.columns, beta: 0, c: s.baseAddress!, ldc: n)
      }
    }
    let inputNeighbors = NearestNeighbors.exact(points, k: k)
    var penalty = 0.0
    for i in 0..<n {
      let input = Set(inputNeighbors.neighbors(of: i))
      // The layout's k nearest (squared Euclidean, ties by index).
      let order = (0..<n).filter { $0 != i }.sorted {
        let a = squaredDistance(layout, i, $0)
        let b = squaredDistance(layout, i, $1)
        return a != b ? a < b : $0 < $1
      }
      for j in order.prefix(k) where !input.contains(Int32(j)) {
        let sij = similarity[i * n + j]
        var rank = 1
        for m in 0..<n where m != i && m != j {
          let s = similarity[i * n + m]
          if s > sij || (s == sij && m < j) { rank += 1 }
        }
        penalty += Double(rank - k)
      }
    }
    let (nd, kd) = (Double(n), Double(k))
    return 1 - 2 / (nd * kd * (2 * nd - 3 * kd - 1)) * penalty
  }

  private static func squaredDistance(_ layout: [Float], _ a: Int, _ b: Int) -> Float {
    let dx = layout[2 * a] - layout[2 * b]
    let dy = layout[2 * a + 1] - layout[2 * b + 1]
    return dx * dx + dy * dy
  }
}
