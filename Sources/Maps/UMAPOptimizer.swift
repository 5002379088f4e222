import LatentMath

/// UMAP's layout SGD in two dimensions (umap-learn's `optimize_layout_euclidean`): each
/// edge is sampled in proportion to its weight, pulls its ends together, and pushes the
/// head away from `negativeSampleRate` random vertices; the step shrinks linearly to 0.
/// One thread, so a seed reproduces the layout exactly.
struct UMAPOptimizer {
  let curve: UMAPCurve
  let epochs: Int
  let negativeSampleRate: Int
  let learningRate: Float
  /// Gradient components are clipped to ±clip.
  static let clip: Float = 4

  /// Runs every epoch. `head` (2 floats per vertex) is moved; `tail` is `head` itself
  /// during a fit (`tail == nil`, both ends move) or a fixed reference layout during a
  /// transform. Negative samples are drawn from the tail's vertices.
  func optimize(
    head: inout [Float], tail fixed: [Float]?, edges: (heads: [Int32], tails: [Int32]),
    weights: [Float], rng: inout SplitMix64, progress: ((Double) -> Void)? = nil
  ) {
    let epochs = Float(self.epochs)
    let maximum = weights.max() ?? 0
    guard maximum > 0, self.epochs > 0 else { return }
    // Edges below max / epochs would never be sampled (umap-learn drops them).
    let keep = weights.indices.filter { weights[$0] >= maximum / epochs }
    let heads = keep.map { Int(edges.heads[$0]) }
    let tails = keep.map { Int(edges.tails[$0]) }
    let perSample = keep.map { maximum / weights[$0] }
    let perNegative = perSample.map { $0 / Float(negativeSampleRate) }
    var nextSample = perSample
    var nextNegative = perNegative
    let vertices = UInt64((fixed?.count ?? head.count) / 2)
    let (a, b) = (curve.a, curve.b)
    let moveOther = fixed == nil
    var reference = fixed ?? []
    let clip = Self.clip
    let edgeCount = heads.count
    head.withUnsafeMutableBufferPointer { h in
      reference.withUnsafeMutableBufferPointer { r in
        heads.withUnsafeBufferPointer { heads in
          tails.withUnsafeBufferPointer { tails in
            perSample.withUnsafeBufferPointer { perSample in
              perNegative.withUnsafeBufferPointer { perNegative in
                nextSample.withUnsafeMutableBufferPointer { nextSample in
                  nextNegative.withUnsafeMutableBufferPointer { nextNegative in
                    let t = moveOther ? h : r
                    for epoch in 0..<self.epochs {
                      let n = Float(epoch)
                      let alpha = learningRate * (1 - n / epochs)
                      for e in 0..<edgeCount where nextSample[e] <= n {
                        let j = heads[e]
                        let k = tails[e]
                        var dx = h[2 * j] - t[2 * k]
                        var dy = h[2 * j + 1] - t[2 * k + 1]
                        var dsq = dx * dx + dy * dy
                        if dsq > 0 {
                          let powered = FastPower.pow(dsq, b)
                          let coefficient = -2 * a * b * (powered / dsq) / (a * powered + 1)
                          let gx = Self.clamp(coefficient * dx, clip) * alpha
                          let gy = Self.clamp(coefficient * dy, clip) * alpha
                          h[2 * j] += gx
                          h[2 * j + 1] += gy
                          if moveOther {
                            t[2 * k] -= gx
                            t[2 * k + 1] -= gy
                          }
                        }
                        nextSample[e] += perSample[e]
                        let negatives = Int((n - nextNegative[e]) / perNegative[e])
                        guard negatives > 0 else { continue }
                        // The negative samples of one edge push from the same position
                        // and are applied together: independent, so they overlap in the
                        // pipeline (one after another they form one long dependency chain).
                        let (cx, cy) = (h[2 * j], h[2 * j + 1])
                        var pushX: Float = 0
                        var pushY: Float = 0
                        for _ in 0..<negatives {
                          // Multiply-shift: an index without a division.
                          let other = Int(((rng.next() >> 32) &* vertices) >> 32)
                          if moveOther && other == j { continue }
                          dx = cx - t[2 * other]
                          dy = cy - t[2 * other + 1]
                          dsq = dx * dx + dy * dy
                          if dsq > 0 {
                            let coefficient =
                              2 * b / ((0.001 + dsq) * (a * FastPower.pow(dsq, b) + 1))
                            pushX += Self.clamp(coefficient * dx, clip)
                            pushY += Self.clamp(coefficient * dy, clip)
                          } else {
                            pushX += clip
                            pushY += clip
                          }
                        }
                        h[2 * j] += pushX * alpha
                        h[2 * j + 1] += pushY * alpha
                        nextNegative[e] += Float(negatives) * perNegative[e]
                      }
                      if epoch % 10 == 9 { progress?(Double(epoch + 1) / Double(self.epochs)) }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  @inline(__always)
  static func clamp(_ v: Float, _ limit: Float) -> Float { min(limit, max(-limit, v)) }
}
