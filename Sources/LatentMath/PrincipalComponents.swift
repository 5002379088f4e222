import CLapacke
import COpenBLAS

/// Principal components of a set of points, through LAPACK's symmetric eigensolver on the
/// covariance matrix (BLAS builds the covariance).
public struct PrincipalComponents: Sendable {
  /// The mean of the points.
  public let mean: [Float]
  /// Unit directions, largest variance first. Each is signed so its largest-magnitude
  /// component is positive, which makes the result deterministic.
  public let components: [[Float]]
  /// The variance along each component.
  public let variances: [Float]

  /// The top `count` components of `points` (each a vector of the same dimension).
  /// - Returns: nil with fewer than two points or a LAPACK failure.
  public init?(points: [[Float]], count: Int) {
    guard points.count >= 2, let d = points.first?.count, d > 0 else { return nil }
    let n = points.count
    let mean = LatentGeometry.mean(points, dimension: d)
    var centered = [Float](repeating: 0, count: n * d)
    for (r, p) in points.enumerated() { for c in 0..<d { centered[r * d + c] = p[c] - mean[c] } }
    // covariance = XᵀX / (n − 1), d×d.
    var covariance = [Float](repeating: 0, count: d * d)
    centered.withUnsafeBufferPointer { x in
      covariance.withUnsafeMutableBufferPointer { c in
        cblas_sgemm(
          CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n),
          1 / Float(n - 1), x.baseAddress, Int32(d), x.baseAddress, Int32(d), 0, c.baseAddress,
          Int32(d))
      }
    }
    var eigenvalues = [Float](repeating: 0, count: d)
    let info = LAPACKE_ssyevd(
      LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(d), &covariance,
      Int32(d), &eigenvalues)
    guard info == 0 else { return nil }
    // Eigenvalues ascend; eigenvectors are the columns.
    let take = min(count, d)
    var components: [[Float]] = []
    var variances: [Float] = []
    for e in stride(from: d - 1, through: d - take, by: -1) {
      var v = (0..<d).map { covariance[$0 * d + e] }
      if let peak = v.max(by: { abs($0) < abs($1) }), peak < 0 { v = v.map { -$0 } }
      components.append(v)
      variances.append(max(0, eigenvalues[e]))
    }
    self.mean = mean
    self.components = components
    self.variances = variances
  }
}
