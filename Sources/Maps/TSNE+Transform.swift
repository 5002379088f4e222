import LatentMath

extension TSNEModel {
  /// Neighbours, perplexity and optimisation of openTSNE's `transform`.
  static let transformNeighbors = 25
  static let transformPerplexity = 5.0
  static let transformIterations = 250
  static let transformRate: Float = 0.1
  static let transformExaggeration: Float = 1.5
  static let transformGradientClip: Float = 0.25

  /// Places new points into the layout without moving the old ones, as openTSNE's
  /// `transform` does: each starts at the median position of its 25 nearest reference
  /// points, then descends its own t-SNE gradient against the fixed reference (perplexity
  /// 5, exaggeration 1.5, learning rate 0.1, gradient norm clipped to 0.25, 250 steps).
  /// New points do not interact with each other. Returns two floats per row.
  public func transform(_ points: Matrix) throws -> [Float] {
    try MapError.validateNewPoints(points, reference: reference)
    let n = points.rows
    guard n > 0 else { return [] }
    let k = min(Self.transformNeighbors, reference.rows)
    let neighbors = NearestNeighbors.query(points, in: reference, k: k)
    let conditional = PerplexityAffinities.conditional(
      neighbors, perplexity: min(Self.transformPerplexity, max(1, Double(k) / 3)))
    let tree = embedding.withUnsafeBufferPointer { QuadTree(layout: $0, count: reference.rows) }
    var layout = [Float](repeating: 0, count: 2 * n)
    var stack: [Int32] = []
    for i in 0..<n {
      let row = neighbors.indices[i * k..<(i + 1) * k].map(Int.init)
      var x = median(row.map { embedding[2 * $0] })
      var y = median(row.map { embedding[2 * $0 + 1] })
      var optimizer = TSNEOptimizer(count: 1, theta: parameters.theta)
      for _ in 0..<Self.transformIterations {
        let r = tree.repulsion(x: x, y: y, skip: -1, theta: parameters.theta, stack: &stack)
        var gx = r.sumQ > 0 ? -r.forceX / r.sumQ : 0
        var gy = r.sumQ > 0 ? -r.forceY / r.sumQ : 0
        for (slot, j) in row.enumerated() {
          let dx = x - embedding[2 * j]
          let dy = y - embedding[2 * j + 1]
          let pq = Self.transformExaggeration * conditional[i * k + slot] / (1 + dx * dx + dy * dy)
          gx += pq * dx
          gy += pq * dy
        }
        let norm = (gx * gx + gy * gy).squareRoot()
        let clip = Self.transformGradientClip / (norm + 1e-6)
        if clip < 1 {
          gx *= clip
          gy *= clip
        }
        var point = [x, y]
        optimizer.step(layout: &point, gradient: [gx, gy], rate: Self.transformRate, clip: false)
        (x, y) = (point[0], point[1])
      }
      layout[2 * i] = x
      layout[2 * i + 1] = y
    }
    return layout
  }

  private func median(_ values: [Float]) -> Float {
    let sorted = values.sorted()
    let m = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
  }
}
