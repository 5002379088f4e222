import COpenBLAS

/// BLAS-backed vector helpers.
public enum VectorMath {
  /// The dot product of two equal-length vectors.
  public static func dot(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "dot: length mismatch \(a.count) vs \(b.count)")
    return cblas_sdot(Int32(a.count), a, 1, b, 1)
  }

  /// The Euclidean norm.
  public static func norm(_ a: [Float]) -> Float {
    cblas_snrm2(Int32(a.count), a, 1)
  }

  /// Cosine similarity; 0 when either vector is zero.
  public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
    let denominator = norm(a) * norm(b)
    return denominator > 0 ? dot(a, b) / denominator : 0
  }
}
