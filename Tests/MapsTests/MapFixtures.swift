import LatentMath

/// Seeded clustered points for the map tests: `clusters` Gaussian blobs around random
/// unit centres in `dimension` dimensions.
enum MapFixtures {
  static func clusters(
    _ clusters: Int, perCluster: Int, dimension: Int = 32, spread: Float = 0.15,
    seed: UInt64 = 7
  ) -> (points: Matrix, labels: [Int]) {
    var rng = SplitMix64(seed: seed)
    let centres = (0..<clusters).map { _ in
      LatentGeometry.normalized((0..<dimension).map { _ in rng.nextGaussian() })
    }
    var values: [Float] = []
    var labels: [Int] = []
    for c in 0..<clusters {
      for _ in 0..<perCluster {
        values += centres[c].map {
          $0 + spread * rng.nextGaussian() / Float(dimension).squareRoot() * 3
        }
        labels.append(c)
      }
    }
    return (Matrix(rows: labels.count, columns: dimension, values: values), labels)
  }

  /// The share of points whose nearest layout neighbour has the same label.
  static func neighbourAgreement(_ layout: [Float], labels: [Int]) -> Double {
    let n = labels.count
    var agree = 0
    for i in 0..<n {
      var best = -1
      var bestDistance = Float.infinity
      for j in 0..<n where j != i {
        let dx = layout[2 * i] - layout[2 * j]
        let dy = layout[2 * i + 1] - layout[2 * j + 1]
        let d = dx * dx + dy * dy
        if d < bestDistance { (best, bestDistance) = (j, d) }
      }
      if labels[best] == labels[i] { agree += 1 }
    }
    return Double(agree) / Double(n)
  }

  /// The given rows of `points`, in order.
  static func rows(_ indices: [Int], of points: Matrix) -> Matrix {
    Matrix(rows: indices.count, columns: points.columns, values: indices.flatMap { points.row($0) })
  }

  /// The label whose centroid in `layout` is nearest (x, y).
  static func nearestCentroid(x: Float, y: Float, layout: [Float], labels: [Int]) -> Int {
    let distances = Set(labels).sorted().map { label -> (Float, Int) in
      let (cx, cy) = centroid(layout, labels: labels, label: label)
      return ((x - cx) * (x - cx) + (y - cy) * (y - cy), label)
    }
    return distances.min { $0.0 < $1.0 }!.1
  }

  /// Mean 2-D position of the points with `label`.
  static func centroid(_ layout: [Float], labels: [Int], label: Int) -> (Float, Float) {
    let members = labels.indices.filter { labels[$0] == label }
    let x = members.reduce(Float(0)) { $0 + layout[2 * $1] } / Float(members.count)
    let y = members.reduce(Float(0)) { $0 + layout[2 * $1 + 1] } / Float(members.count)
    return (x, y)
  }
}
