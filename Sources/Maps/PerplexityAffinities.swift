import Foundation

/// t-SNE's input similarities on a kNN graph: per point a Gaussian on squared neighbour
/// distances whose precision is binary-searched to the wanted perplexity; then P is
/// symmetrised, (P + Pᵀ)/2, and normalised to sum 1 (openTSNE's `PerplexityBasedNN`).
/// Stored as CSR rows.
struct PerplexityAffinities {
  var offsets: [Int]
  var columns: [Int32]
  var values: [Float]

  static let searchSteps = 100
  static let tolerance = 1e-5

  /// Conditional probabilities p(j | i) of each kNN row, each row summing to 1.
  static func conditional(_ graph: NeighborGraph, perplexity: Double) -> [Float] {
    let k = graph.k
    var out = [Float](repeating: 0, count: graph.count * k)
    let target = log(perplexity)
    var row = [Double](repeating: 0, count: k)
    for i in 0..<graph.count {
      let squared = (0..<k).map {
        Double(graph.distances[i * k + $0] * graph.distances[i * k + $0])
      }
      var beta = 1.0
      var low = -Double.infinity
      var high = Double.infinity
      for _ in 0..<searchSteps {
        var sum = 0.0
        for j in 0..<k {
          row[j] = exp(-squared[j] * beta)
          sum += row[j]
        }
        sum = max(sum, 1e-300)
        // Entropy H = log Σ + β Σ d²·p.
        var weighted = 0.0
        for j in 0..<k { weighted += squared[j] * row[j] }
        let entropy = log(sum) + beta * weighted / sum
        let difference = entropy - target
        if abs(difference) < tolerance { break }
        if difference > 0 {
          low = beta
          beta = high.isInfinite ? beta * 2 : (beta + high) / 2
        } else {
          high = beta
          beta = low.isInfinite ? beta / 2 : (beta + low) / 2
        }
      }
      let sum = max(row.reduce(0, +), 1e-300)
      for j in 0..<k { out[i * k + j] = Float(row[j] / sum) }
    }
    return out
  }

  /// The symmetric joint P of a kNN graph.
  init(_ graph: NeighborGraph, perplexity: Double) {
    let n = graph.count
    let k = graph.k
    let conditional = Self.conditional(graph, perplexity: perplexity)
    // Gather p(j|i) and p(i|j) for each unordered pair.
    var pairIndex: [Int: Int] = [:]
    pairIndex.reserveCapacity(n * k)
    var pairs: [(Int32, Int32, Float)] = []  // (low, high, p(high|low) + p(low|high))
    for i in 0..<n {
      for slot in 0..<k {
        let j = Int(graph.indices[i * k + slot])
        let p = conditional[i * k + slot]
        guard j != i, p > 0 else { continue }
        let key = i < j ? i * n + j : j * n + i
        if let index = pairIndex[key] {
          pairs[index].2 += p
        } else {
          pairIndex[key] = pairs.count
          pairs.append((Int32(min(i, j)), Int32(max(i, j)), p))
        }
      }
    }
    let total = pairs.reduce(Float(0)) { $0 + 2 * $1.2 }
    var offsets = [Int](repeating: 0, count: n + 1)
    for (a, b, _) in pairs {
      offsets[Int(a) + 1] += 1
      offsets[Int(b) + 1] += 1
    }
    for i in 0..<n { offsets[i + 1] += offsets[i] }
    var cursor = offsets
    var columns = [Int32](repeating: 0, count: offsets[n])
    var values = [Float](repeating: 0, count: offsets[n])
    for (a, b, p) in pairs {
      let value = total > 0 ? p / total : 0
      columns[cursor[Int(a)]] = b
      values[cursor[Int(a)]] = value
      cursor[Int(a)] += 1
      columns[cursor[Int(b)]] = a
      values[cursor[Int(b)]] = value
      cursor[Int(b)] += 1
    }
    self.offsets = offsets
    self.columns = columns
    self.values = values
  }
}
