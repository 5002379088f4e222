/// Gradient descent on the t-SNE objective with Barnes–Hut repulsion (openTSNE's
/// `gradient_descent`): momentum, per-coordinate gains (+0.2 when the gradient flips sign,
/// ×0.8 + 0.01 when it does not), updates clipped to norm 5 per point. Gains and the
/// running update persist between phases, as in openTSNE.
struct TSNEOptimizer {
  let count: Int
  let theta: Float
  var gains: [Float]
  var update: [Float]
  var momentum: Float = 0.8
  static let minimumGain: Float = 0.01
  static let maximumStep: Float = 5

  init(count: Int, theta: Float) {
    self.count = count
    self.theta = theta
    gains = [Float](repeating: 1, count: 2 * count)
    update = [Float](repeating: 0, count: 2 * count)
  }

  /// `iterations` steps with P multiplied by `exaggeration` and learning rate N / exaggeration.
  mutating func run(
    layout: inout [Float], affinities: PerplexityAffinities, iterations: Int,
    exaggeration: Float, progress: ((Int) -> Void)? = nil
  ) {
    let n = count
    let rate = Float(n) / exaggeration
    var gradient = [Float](repeating: 0, count: 2 * n)
    var stack: [Int32] = []
    stack.reserveCapacity(256)
    for iteration in 0..<iterations {
      // Repulsion: Σ_j q_ij² (y_i − y_j) / Z, with Z = Σ_ij q_ij.
      let tree = layout.withUnsafeBufferPointer { QuadTree(layout: $0, count: n) }
      var sumQ: Float = 0
      for i in 0..<n {
        let r = tree.repulsion(
          x: layout[2 * i], y: layout[2 * i + 1], skip: Int32(i), theta: theta, stack: &stack)
        sumQ += r.sumQ
        gradient[2 * i] = -r.forceX
        gradient[2 * i + 1] = -r.forceY
      }
      let inverseZ = sumQ > 0 ? 1 / sumQ : 0
      for e in 0..<2 * n { gradient[e] *= inverseZ }
      // Attraction: Σ_j p_ij q_ij (y_i − y_j).
      affinities.values.withUnsafeBufferPointer { values in
        affinities.columns.withUnsafeBufferPointer { columns in
          for i in 0..<n {
            var gx: Float = 0
            var gy: Float = 0
            let (xi, yi) = (layout[2 * i], layout[2 * i + 1])
            for e in affinities.offsets[i]..<affinities.offsets[i + 1] {
              let j = Int(columns[e])
              let dx = xi - layout[2 * j]
              let dy = yi - layout[2 * j + 1]
              let pq = exaggeration * values[e] / (1 + dx * dx + dy * dy)
              gx += pq * dx
              gy += pq * dy
            }
            gradient[2 * i] += gx
            gradient[2 * i + 1] += gy
          }
        }
      }
      step(layout: &layout, gradient: gradient, rate: rate)
      if iteration % 10 == 9 { progress?(iteration + 1) }
    }
  }

  /// One momentum step with gains and (when `clip`) the per-point step clip.
  mutating func step(layout: inout [Float], gradient: [Float], rate: Float, clip: Bool = true) {
    for e in 0..<gradient.count {
      let flipped = update[e].sign3 != gradient[e].sign3
      gains[e] = flipped ? gains[e] + 0.2 : gains[e] * 0.8 + Self.minimumGain
      update[e] = momentum * update[e] - rate * gains[e] * gradient[e]
    }
    for i in 0..<gradient.count / 2 {
      let norm = (update[2 * i] * update[2 * i] + update[2 * i + 1] * update[2 * i + 1])
        .squareRoot()
      if clip && norm > Self.maximumStep {
        update[2 * i] *= Self.maximumStep / norm
        update[2 * i + 1] *= Self.maximumStep / norm
      }
      layout[2 * i] += update[2 * i]
      layout[2 * i + 1] += update[2 * i + 1]
    }
  }
}

extension Float {
  /// −1, 0 or 1 (numpy's `sign`).
  fileprivate var sign3: Int { self > 0 ? 1 : (self < 0 ? -1 : 0) }
}
