import COpenBLAS

/// BLAS-backed vector helpers.
public enum VectorMath {
  /// The dot product of two equal-length vectors.
  public static func dot(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "dot: length mismatch \(a.count) vs \(b.count)")
    return cblas_sdot(Int32(a.count), a, 1, b, 1)
  }

  /// The dot product of `count` floats at `a` and `b`, in SIMD registers rather than a
  /// BLAS call (for short vectors in a hot loop the call costs more than the arithmetic).
  @inlinable
  public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int)
    -> Float
  {
    // Two accumulators, so consecutive multiply-adds do not wait on each other.
    var even = SIMD16<Float>()
    var odd = SIMD16<Float>()
    var i = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while i + 32 <= count {
      even +=
        rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      odd +=
        rawA.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self)
      i += 32
    }
    while i + 16 <= count {
      even +=
        rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
        * rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      i += 16
    }
    var total = (even + odd).sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
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
