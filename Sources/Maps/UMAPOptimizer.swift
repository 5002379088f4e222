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
    // Samples per epoch, so the count of negatives due is a product, not a division.
    let negativeRate = perNegative.map { 1 / $0 }
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
                negativeRate.withUnsafeBufferPointer { negativeRate in
                  nextSample.withUnsafeMutableBufferPointer { nextSample in
                    nextNegative.withUnsafeMutableBufferPointer { nextNegative in
                      let t = moveOther ? h : r
                      for epoch in 0..<self.epochs {
                        let n = Float(epoch)
                        let alpha = learningRate * (1 - n / epochs)
                        // Edges are sorted by head: a head's negative samples are drawn in
                        // fours as they fall due across its edges (the last few once its
                        // edges are done), so the four-lane pushes are full. (Drawing all of
                        // a head's negatives for the epoch at once was faster still, but
                        // small maps came out worse: a node dropped on a 9-node map then
                        // landed off its neighbours.)
                        var owing = -1
                        var owed = 0
                        for e in 0..<edgeCount where nextSample[e] <= n {
                          let j = heads[e]
                          if j != owing {
                            if owed > 0 {
                              Self.repel(
                                owing, samples: owed, head: h, tail: t, vertices: vertices,
                                moveOther: moveOther, curve: (a, b), alpha: alpha, rng: &rng)
                            }
                            owing = j
                            owed = 0
                          }
                          let k = tails[e]
                          let dx = h[2 * j] - t[2 * k]
                          let dy = h[2 * j + 1] - t[2 * k + 1]
                          let dsq = dx * dx + dy * dy
                          if dsq > 0 {
                            let powered = FastPower.pow(dsq, b)
                            let coefficient = -2 * a * b * powered / (dsq * (a * powered + 1))
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
                          let negatives = Int((n - nextNegative[e]) * negativeRate[e])
                          guard negatives > 0 else { continue }
                          owed += negatives
                          nextNegative[e] += Float(negatives) * perNegative[e]
                          if owed >= 4 {
                            Self.repel(
                              j, samples: owed & ~3, head: h, tail: t, vertices: vertices,
                              moveOther: moveOther, curve: (a, b), alpha: alpha, rng: &rng)
                            owed &= 3
                          }
                        }
                        if owed > 0 {
                          Self.repel(
                            owing, samples: owed, head: h, tail: t, vertices: vertices,
                            moveOther: moveOther, curve: (a, b), alpha: alpha, rng: &rng)
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
  }

  /// Pushes vertex `j` of `head` away from `samples` vertices of `tail` drawn at random,
  /// all from its current position, four lanes at a time (independent, so they vectorise;
  /// one after another they would form one long chain), and applies the sum.
  @inline(__always)
  static func repel(
    _ j: Int, samples: Int, head h: UnsafeMutableBufferPointer<Float>,
    tail t: UnsafeMutableBufferPointer<Float>, vertices: UInt64, moveOther: Bool,
    curve: (a: Float, b: Float), alpha: Float, rng: inout SplitMix64
  ) {
    let (a, b) = curve
    let cx = SIMD4<Float>(repeating: h[2 * j])
    let cy = SIMD4<Float>(repeating: h[2 * j + 1])
    var pushX = SIMD4<Float>(repeating: 0)
    var pushY = SIMD4<Float>(repeating: 0)
    var remaining = samples
    while remaining > 0 {
      // Multiply-shift: indices without a division.
      let o0 = Int(((rng.next() >> 32) &* vertices) >> 32)
      let o1 = Int(((rng.next() >> 32) &* vertices) >> 32)
      let o2 = Int(((rng.next() >> 32) &* vertices) >> 32)
      let o3 = Int(((rng.next() >> 32) &* vertices) >> 32)
      let ox = SIMD4<Float>(t[2 * o0], t[2 * o1], t[2 * o2], t[2 * o3])
      let oy = SIMD4<Float>(t[2 * o0 + 1], t[2 * o1 + 1], t[2 * o2 + 1], t[2 * o3 + 1])
      // Lanes past the count, and a vertex drawn against itself, count 0.
      var live = SIMD4<Float>(
        remaining > 0 ? 1 : 0, remaining > 1 ? 1 : 0, remaining > 2 ? 1 : 0,
        remaining > 3 ? 1 : 0)
      if moveOther {
        live.replace(
          with: 0,
          where: SIMD4<Int32>(Int32(o0), Int32(o1), Int32(o2), Int32(o3))
            .== SIMD4(repeating: Int32(j)))
      }
      remaining -= 4
      let dx4 = cx - ox
      let dy4 = cy - oy
      let d2 = dx4 * dx4 + dy4 * dy4
      let apart = d2 .> 0
      let safe = d2.replacing(with: 1, where: .!apart)
      let coefficient = (2 * b) / ((0.001 + safe) * (a * FastPower.pow(safe, b) + 1))
      var gx = (coefficient * dx4).clamped(-clip, clip)
      var gy = (coefficient * dy4).clamped(-clip, clip)
      // Coincident points are pushed by the clip in both coordinates.
      gx.replace(with: clip, where: .!apart)
      gy.replace(with: clip, where: .!apart)
      pushX += gx * live
      pushY += gy * live
    }
    h[2 * j] += pushX.sum() * alpha
    h[2 * j + 1] += pushY.sum() * alpha
  }

  @inline(__always)
  static func clamp(_ v: Float, _ limit: Float) -> Float { min(limit, max(-limit, v)) }
}
