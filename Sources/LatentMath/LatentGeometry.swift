import CLapacke
import Foundation

/// Geometry of the canvas: projections onto axes, moves that hit target coordinates,
/// interpolation, sampling around a point and two-pole axes. Vectors are Float32 arrays;
/// axes are unit directions of the same dimension.
public enum LatentGeometry {
  /// Raw projections of `point` on each axis (dot products with the unit directions).
  public static func project(_ point: [Float], onto axes: [[Float]]) -> [Float] {
    axes.map { VectorMath.dot(point, $0) }
  }

  /// The unit vector nearest `point` whose projections on `axes` equal `targets`.
  ///
  /// Each step adds the minimal-norm change that hits the targets — δ = Aᵀ(AAᵀ)⁺(t − Ax),
  /// least squares on possibly non-orthogonal axes — then returns to the unit sphere;
  /// repeated until the projections are within `tolerance` (or `maxSteps`). Components of
  /// the point outside the axes' span keep their direction. Targets the sphere cannot reach
  /// (say, beyond ±1 on one axis) give the closest reachable point.
  public static func move(
    _ point: [Float], onto axes: [[Float]], targets: [Float], tolerance: Float = 1e-5,
    maxSteps: Int = 50
  ) -> [Float] {
    precondition(axes.count == targets.count, "one target per axis")
    guard !axes.isEmpty else { return normalized(point) }
    let solver = LeastSquares(axes: axes)
    var x = normalized(point)
    for _ in 0..<maxSteps {
      let residual = zip(targets, project(x, onto: axes)).map { $0 - $1 }
      if residual.allSatisfy({ abs($0) <= tolerance }) { break }
      let delta = solver.minimalNormChange(residual)
      x = normalized(zip(x, delta).map { $0 + $1 })
    }
    return x
  }

  /// Spherical interpolation between two unit vectors, t ∈ [0, 1].
  public static func slerp(_ a: [Float], _ b: [Float], t: Float) -> [Float] {
    let u = normalized(a)
    let v = normalized(b)
    let cosine = max(-1, min(1, VectorMath.dot(u, v)))
    let angle = acosf(cosine)
    if angle < 1e-5 {
      return normalized(zip(u, v).map { $0 + t * ($1 - $0) })
    }
    let s = sinf(angle)
    let wa = sinf((1 - t) * angle) / s
    let wb = sinf(t * angle) / s
    return normalized(zip(u, v).map { wa * $0 + wb * $1 })
  }

  /// `count` unit vectors at exactly `radius` radians from `center`, in seeded random
  /// directions ("blur"): the same seed gives the same samples.
  public static func blur(_ center: [Float], radius: Float, count: Int, seed: UInt64) -> [[Float]] {
    let c = normalized(center)
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in
      // A Gaussian direction, made orthogonal to the center.
      var u = (0..<c.count).map { _ in random.nextGaussian() }
      let along = VectorMath.dot(u, c)
      for i in u.indices { u[i] -= along * c[i] }
      u = normalized(u)
      return normalized(zip(c, u).map { cosf(radius) * $0 + sinf(radius) * $1 })
    }
  }

  /// A two-pole axis: the unit direction from the mean of `negatives` to the mean of
  /// `positives`, and the mean raw projection of each pole (its calibration: those map
  /// to −1 and +1).
  public static func meanDifferenceAxis(positives: [[Float]], negatives: [[Float]])
    -> (direction: [Float], negativeMean: Float, positiveMean: Float)?
  {
    guard let dimension = positives.first?.count, !negatives.isEmpty else { return nil }
    let positiveCenter = mean(positives, dimension: dimension)
    let negativeCenter = mean(negatives, dimension: dimension)
    let difference = zip(positiveCenter, negativeCenter).map { $0 - $1 }
    guard VectorMath.norm(difference) > 1e-8 else { return nil }
    let direction = normalized(difference)
    let positiveMean =
      positives.map { VectorMath.dot($0, direction) }.reduce(0, +) / Float(positives.count)
    let negativeMean =
      negatives.map { VectorMath.dot($0, direction) }.reduce(0, +) / Float(negatives.count)
    return (direction, negativeMean, positiveMean)
  }

  /// `v` scaled to unit length (zero stays zero).
  public static func normalized(_ v: [Float]) -> [Float] {
    let norm = VectorMath.norm(v)
    return norm > 0 ? v.map { $0 / norm } : v
  }

  static func mean(_ vectors: [[Float]], dimension: Int) -> [Float] {
    var sum = [Float](repeating: 0, count: dimension)
    for v in vectors { for i in 0..<dimension { sum[i] += v[i] } }
    return sum.map { $0 / Float(vectors.count) }
  }
}

/// Minimal-norm solutions of A·δ = r for a k×d matrix A of axis rows, through the
/// pseudo-inverse of the k×k Gram matrix AAᵀ (LAPACK eigendecomposition), so parallel or
/// nearly parallel axes do not blow up.
struct LeastSquares {
  let axes: [[Float]]
  /// (AAᵀ)⁺, k×k row-major.
  let gramPseudoInverse: [Float]

  init(axes: [[Float]]) {
    self.axes = axes
    let k = axes.count
    var gram = [Float](repeating: 0, count: k * k)
    for i in 0..<k { for j in 0..<k { gram[i * k + j] = VectorMath.dot(axes[i], axes[j]) } }
    var eigenvalues = [Float](repeating: 0, count: k)
    var vectors = gram
    let info = LAPACKE_ssyev(
      LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(k), &vectors,
      Int32(k), &eigenvalues)
    var inverse = [Float](repeating: 0, count: k * k)
    if info == 0 {
      let cutoff = (eigenvalues.max() ?? 0) * 1e-6
      for e in 0..<k where eigenvalues[e] > cutoff {
        for i in 0..<k {
          for j in 0..<k {
            inverse[i * k + j] += vectors[i * k + e] * vectors[j * k + e] / eigenvalues[e]
          }
        }
      }
    }
    gramPseudoInverse = inverse
  }

  /// δ = Aᵀ (AAᵀ)⁺ r.
  func minimalNormChange(_ residual: [Float]) -> [Float] {
    let k = axes.count
    var y = [Float](repeating: 0, count: k)
    for i in 0..<k { for j in 0..<k { y[i] += gramPseudoInverse[i * k + j] * residual[j] } }
    var delta = [Float](repeating: 0, count: axes[0].count)
    for (a, weight) in zip(axes, y) { for d in delta.indices { delta[d] += weight * a[d] } }
    return delta
  }
}
