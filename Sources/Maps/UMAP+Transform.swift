import Foundation
import LatentMath

extension UMAPModel {
  /// Places new points into the layout without moving the old ones (umap-learn's
  /// `transform`, uwot's `umap_transform`): each starts at the membership-weighted average
  /// of its nearest reference points' positions, then SGD runs with the reference fixed.
  /// Deterministic for the model's seed. Returns two floats per row of `points`.
  public func transform(_ points: Matrix) throws -> [Float] {
    try MapError.validateNewPoints(points, reference: reference)
    let n = points.rows
    guard n > 0 else { return [] }
    let k = min(parameters.neighbors, reference.rows)
    let neighbors = NearestNeighbors.query(points, in: reference, k: k)
    let mean = neighbors.distances.reduce(0, +) / Float(max(1, neighbors.distances.count))
    // umap-learn places new points with local connectivity 0: ρ = 0, σ from the search.
    var heads: [Int32] = []
    var tails: [Int32] = []
    var weights: [Float] = []
    var layout = [Float](repeating: 0, count: n * 2)
    for i in 0..<n {
      let row = neighbors.distances[i * k..<(i + 1) * k]
      let sigma = FuzzyMembership.smoothDistances(
        row, meanDistance: mean, localConnectivity: false
      ).sigma
      var total: Float = 0
      for slot in 0..<k {
        let w = sigma > 0 ? expf(-row[i * k + slot] / sigma) : 1
        let j = Int(neighbors.indices[i * k + slot])
        heads.append(Int32(i))
        tails.append(Int32(j))
        weights.append(w)
        total += w
        layout[2 * i] += w * embedding[2 * j]
        layout[2 * i + 1] += w * embedding[2 * j + 1]
      }
      if total > 0 {
        layout[2 * i] /= total
        layout[2 * i + 1] /= total
      } else {
        let j = Int(neighbors.indices[i * k])
        layout[2 * i] = embedding[2 * j]
        layout[2 * i + 1] = embedding[2 * j + 1]
      }
    }
    var rng = SplitMix64(seed: parameters.seed ^ 0x7472_616e_7366_6f72)
    // A quarter of the fit's step, as umap-learn's transform uses.
    let optimizer = UMAPOptimizer(
      curve: curve, epochs: parameters.transformEpochs(referenceCount: reference.rows),
      negativeSampleRate: parameters.negativeSampleRate,
      learningRate: parameters.learningRate / 4)
    optimizer.optimize(
      head: &layout, tail: embedding, edges: (heads, tails), weights: weights, rng: &rng)
    return layout
  }
}
