import Foundation

/// UMAP's fuzzy simplicial set: the kNN graph turned into memberships (smooth-kNN ρ and σ
/// per point), then symmetrised by fuzzy union A + Aᵀ − A∘Aᵀ. Edges are stored both ways,
/// sorted by head then tail.
public struct FuzzyGraph: Sendable {
  /// Number of vertices.
  public let count: Int
  /// Edge sources.
  public var heads: [Int32]
  /// Edge targets.
  public var tails: [Int32]
  /// Membership strengths in (0, 1].
  public var weights: [Float]

  /// The symmetrised fuzzy graph of `neighbors` (UMAP's `n_neighbors` is `neighbors.k + 1`,
  /// counting the point itself as umap-learn does).
  public init(neighbors: NeighborGraph) {
    let directed = FuzzyMembership.directed(neighbors)
    self = FuzzyGraph.union(count: neighbors.count, k: neighbors.k, directed: directed, neighbors)
  }

  private init(count: Int, heads: [Int32], tails: [Int32], weights: [Float]) {
    self.count = count
    self.heads = heads
    self.tails = tails
    self.weights = weights
  }

  /// A + Aᵀ − A∘Aᵀ over the directed memberships `directed[i·k + j]` of edge i → indices[i·k + j].
  private static func union(
    count n: Int, k: Int, directed: [Float], _ neighbors: NeighborGraph
  ) -> FuzzyGraph {
    // Unordered pairs in first-seen order, each with its two directed strengths.
    var pairIndex: [Int: Int] = [:]
    pairIndex.reserveCapacity(n * k)
    var low: [Int32] = []
    var high: [Int32] = []
    var forward: [Float] = []  // low → high
    var backward: [Float] = []  // high → low
    for i in 0..<n {
      for slot in 0..<k {
        let j = Int(neighbors.indices[i * k + slot])
        let w = directed[i * k + slot]
        guard w > 0, j != i else { continue }
        let (a, b) = i < j ? (i, j) : (j, i)
        let key = a * n + b
        let index: Int
        if let found = pairIndex[key] {
          index = found
        } else {
          index = low.count
          pairIndex[key] = index
          low.append(Int32(a))
          high.append(Int32(b))
          forward.append(0)
          backward.append(0)
        }
        if i == a {
          forward[index] = max(forward[index], w)
        } else {
          backward[index] = max(backward[index], w)
        }
      }
    }
    // Both directions of each pair, sorted by head (counting sort), tails ascending within.
    var degree = [Int](repeating: 0, count: n + 1)
    for p in 0..<low.count {
      degree[Int(low[p]) + 1] += 1
      degree[Int(high[p]) + 1] += 1
    }
    for i in 0..<n { degree[i + 1] += degree[i] }
    var cursor = degree
    let edges = degree[n]
    var heads = [Int32](repeating: 0, count: edges)
    var tails = [Int32](repeating: 0, count: edges)
    var weights = [Float](repeating: 0, count: edges)
    for p in 0..<low.count {
      let s = forward[p] + backward[p] - forward[p] * backward[p]
      for (h, t) in [(low[p], high[p]), (high[p], low[p])] {
        let e = cursor[Int(h)]
        cursor[Int(h)] += 1
        heads[e] = h
        tails[e] = t
        weights[e] = s
      }
    }
    for i in 0..<n {
      let range = degree[i]..<degree[i + 1]
      let order = range.sorted { tails[$0] < tails[$1] }
      let t = order.map { tails[$0] }
      let w = order.map { weights[$0] }
      for (offset, e) in range.enumerated() {
        tails[e] = t[offset]
        weights[e] = w[offset]
      }
    }
    return FuzzyGraph(count: n, heads: heads, tails: tails, weights: weights)
  }

  /// Start of each vertex's edges (count + 1 offsets; edges are sorted by head).
  public var rowOffsets: [Int] {
    var offsets = [Int](repeating: 0, count: count + 1)
    for h in heads { offsets[Int(h) + 1] += 1 }
    for i in 0..<count { offsets[i + 1] += offsets[i] }
    return offsets
  }
}

/// Smooth-kNN distances and membership strengths (umap-learn's `smooth_knn_dist` and
/// `compute_membership_strengths`, local connectivity 1, bandwidth 1).
public enum FuzzyMembership {
  /// Binary-search steps for σ, and the tolerance on the summed memberships.
  static let searchSteps = 64
  static let tolerance: Float = 1e-5
  /// σ never falls below this share of the mean neighbour distance.
  static let minimumScale: Float = 1e-3

  /// ρ (distance to the nearest neighbour at a positive distance) and σ for one point's
  /// sorted neighbour distances, so that Σ exp(−max(0, d − ρ)/σ) = log2(k + 1).
  /// `meanDistance` is the graph-wide mean, the floor for a point whose ρ is 0. Without
  /// `localConnectivity` ρ is 0 (how umap-learn places new points).
  public static func smoothDistances(
    _ distances: ArraySlice<Float>, meanDistance: Float, localConnectivity: Bool = true
  ) -> (rho: Float, sigma: Float) {
    let target = log2(Float(distances.count + 1))
    let rho =
      localConnectivity ? (distances.first(where: { $0 > 0 }) ?? (distances.max() ?? 0)) : 0
    var low: Float = 0
    var high = Float.infinity
    var mid: Float = 1
    for _ in 0..<searchSteps {
      var sum: Float = 0
      for d in distances {
        let excess = d - rho
        sum += excess > 0 ? expf(-excess / mid) : 1
      }
      if abs(sum - target) < tolerance { break }
      if sum > target {
        high = mid
        mid = (low + high) / 2
      } else {
        low = mid
        mid = high.isInfinite ? mid * 2 : (low + high) / 2
      }
    }
    // The point itself counts as a neighbour at distance 0 in umap-learn's mean.
    let own = distances.reduce(0, +) / Float(distances.count + 1)
    let floor = minimumScale * (rho > 0 ? own : meanDistance)
    return (rho, max(mid, floor))
  }

  /// Directed membership strengths, one per kNN edge.
  public static func directed(_ graph: NeighborGraph) -> [Float] {
    let n = graph.count
    let k = graph.k
    guard n > 0, k > 0 else { return [] }
    let mean = graph.distances.reduce(0, +) / Float(graph.distances.count)
    var out = [Float](repeating: 0, count: n * k)
    for i in 0..<n {
      let row = graph.distances[i * k..<(i + 1) * k]
      let (rho, sigma) = smoothDistances(row, meanDistance: mean)
      for slot in 0..<k {
        let excess = row[i * k + slot] - rho
        out[i * k + slot] = (excess <= 0 || sigma == 0) ? 1 : expf(-excess / sigma)
      }
    }
    return out
  }
}
