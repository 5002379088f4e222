import Foundation
import LatentMath

/// UMAP's spectral initialisation: the eigenvectors of the normalised graph Laplacian
/// I − D^−½ W D^−½ with the smallest non-trivial eigenvalues, found as the largest of
/// D^−½ W D^−½ by Lanczos iteration with full reorthogonalisation (the small tridiagonal
/// problem goes to LAPACK). Returns nil when the graph is not connected or the iteration
/// breaks down; the caller falls back to a PCA layout.
enum SpectralLayout {
  /// Lanczos steps: plenty for the two leading eigenvectors of a kNN graph's Laplacian.
  static let maximumSteps = 96

  static func layout(_ graph: FuzzyGraph, dimensions: Int = 2, seed: UInt64) -> [[Double]]? {
    let n = graph.count
    let steps = min(maximumSteps, n - 1)
    let offsets = graph.rowOffsets
    guard n > dimensions + 1, steps > dimensions, isConnected(graph, offsets: offsets) else {
      return nil
    }
    var degree = [Double](repeating: 0, count: n)
    for e in 0..<graph.weights.count { degree[Int(graph.heads[e])] += Double(graph.weights[e]) }
    guard degree.allSatisfy({ $0 > 0 }) else { return nil }
    let inverseRoot = degree.map { 1 / $0.squareRoot() }
    // The trivial eigenvector (eigenvalue 1) is D^½·1; every Lanczos vector is kept
    // orthogonal to it.
    let trivial = unit(degree.map { $0.squareRoot() })
    func multiply(_ x: [Double]) -> [Double] {
      var y = [Double](repeating: 0, count: n)
      for i in 0..<n {
        var sum = 0.0
        for e in offsets[i]..<offsets[i + 1] {
          let j = Int(graph.tails[e])
          sum += Double(graph.weights[e]) * inverseRoot[j] * x[j]
        }
        y[i] = sum * inverseRoot[i]
      }
      return y
    }
    var rng = SplitMix64(seed: seed ^ 0x5bd1_e995)
    var q = (0..<n).map { _ in Double(rng.nextGaussian()) }
    orthogonalize(&q, against: [trivial])
    q = unit(q)
    var basis: [[Double]] = [q]
    var alphas: [Double] = []
    var betas: [Double] = []
    for step in 0..<steps {
      var w = multiply(basis[step])
      let alpha = dot(w, basis[step])
      alphas.append(alpha)
      // Full reorthogonalisation, twice ("twice is enough"), against the trivial vector too.
      orthogonalize(&w, against: [trivial] + basis)
      orthogonalize(&w, against: [trivial] + basis)
      let beta = dot(w, w).squareRoot()
      if beta < 1e-9 || step == steps - 1 { break }
      betas.append(beta)
      basis.append(w.map { $0 / beta })
    }
    let m = alphas.count
    guard m > dimensions,
      let (_, vectors) = SymmetricTridiagonal.eigen(
        diagonal: alphas, offDiagonal: Array(betas.prefix(m - 1)))
    else { return nil }
    // Largest eigenvalues are the last columns; Ritz vector = basis · column.
    var result: [[Double]] = []
    for column in stride(from: m - 1, to: m - 1 - dimensions, by: -1) {
      var ritz = [Double](repeating: 0, count: n)
      for row in 0..<m {
        let c = vectors[row * m + column]
        let b = basis[row]
        for i in 0..<n { ritz[i] += c * b[i] }
      }
      guard ritz.allSatisfy({ $0.isFinite }) else { return nil }
      result.append(ritz)
    }
    return result
  }

  /// Whether every vertex is reachable from vertex 0 (`offsets`: the graph's row offsets).
  static func isConnected(_ graph: FuzzyGraph, offsets: [Int]? = nil) -> Bool {
    let n = graph.count
    guard n > 0 else { return false }
    let offsets = offsets ?? graph.rowOffsets
    var seen = [Bool](repeating: false, count: n)
    var stack = [0]
    seen[0] = true
    var reached = 1
    while let i = stack.popLast() {
      for e in offsets[i]..<offsets[i + 1] {
        let j = Int(graph.tails[e])
        if !seen[j] {
          seen[j] = true
          reached += 1
          stack.append(j)
        }
      }
    }
    return reached == n
  }

  private static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<a.count { sum += a[i] * b[i] }
    return sum
  }

  private static func unit(_ v: [Double]) -> [Double] {
    let norm = dot(v, v).squareRoot()
    return norm > 0 ? v.map { $0 / norm } : v
  }

  private static func orthogonalize(_ w: inout [Double], against vectors: [[Double]]) {
    for v in vectors {
      let c = dot(w, v)
      for i in 0..<w.count { w[i] -= c * v[i] }
    }
  }
}
