import Foundation

/// The low-dimensional similarity curve 1 / (1 + a·d^(2b)) that UMAP fits to
/// "1 below min_dist, then exp(−(d − min_dist)/spread)" on 300 points of [0, 3·spread]
/// (umap-learn's `find_ab_params`), here by damped Gauss–Newton in double precision.
public struct UMAPCurve: Sendable, Equatable {
  /// Curve parameters.
  public let a: Float
  public let b: Float

  /// Fits a and b for `minDist` and `spread`.
  public init(minDist: Float, spread: Float = 1) {
    let xs = (0..<300).map { Double($0) * 3 * Double(spread) / 299 }
    let ys = xs.map { $0 < Double(minDist) ? 1 : exp(-($0 - Double(minDist)) / Double(spread)) }
    var a = 1.0
    var b = 1.0
    var damping = 1e-3
    func loss(_ a: Double, _ b: Double) -> Double {
      zip(xs, ys).reduce(0) { sum, p in
        let r = 1 / (1 + a * pow(p.0, 2 * b)) - p.1
        return sum + r * r
      }
    }
    var current = loss(a, b)
    for _ in 0..<200 {
      // Normal equations of the 2-parameter least squares.
      var jtj = [0.0, 0.0, 0.0]  // aa, ab, bb
      var jtr = [0.0, 0.0]
      for (x, y) in zip(xs, ys) where x > 0 {
        let p = pow(x, 2 * b)
        let f = 1 / (1 + a * p)
        let r = f - y
        let da = -p * f * f
        let db = -a * p * 2 * log(x) * f * f
        jtj[0] += da * da
        jtj[1] += da * db
        jtj[2] += db * db
        jtr[0] += da * r
        jtr[1] += db * r
      }
      let (m00, m01, m11) = (jtj[0] * (1 + damping), jtj[1], jtj[2] * (1 + damping))
      let det = m00 * m11 - m01 * m01
      guard det != 0 else { break }
      let stepA = (m11 * jtr[0] - m01 * jtr[1]) / det
      let stepB = (m00 * jtr[1] - m01 * jtr[0]) / det
      let (nextA, nextB) = (a - stepA, b - stepB)
      let next = nextA > 0 && nextB > 0 ? loss(nextA, nextB) : .infinity
      if next < current {
        let converged = current - next < 1e-14
        (a, b, current) = (nextA, nextB, next)
        damping = max(damping / 10, 1e-12)
        if converged { break }
      } else {
        damping *= 10
        if damping > 1e12 { break }
      }
    }
    self.a = Float(a)
    self.b = Float(b)
  }
}
