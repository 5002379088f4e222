#if canImport(Glibc)
  import Glibc
#endif

/// Elementwise and row-wise kernels of a transformer layer, on raw row-major buffers.
public enum Activations {
  /// Normalises each of `rows` rows of `width` values to zero mean and unit variance, then
  /// scales by `gamma` and shifts by `beta` (PyTorch LayerNorm, biased variance).
  public static func layerNorm(
    _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>, epsilon: Float
  ) {
    for r in 0..<rows {
      let row = x + r * width
      var sum: Float = 0
      for i in 0..<width { sum += row[i] }
      let mean = sum / Float(width)
      var squares: Float = 0
      for i in 0..<width {
        let d = row[i] - mean
        squares += d * d
      }
      let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
      for i in 0..<width { row[i] = (row[i] - mean) * inverse * gamma[i] + beta[i] }
    }
  }

  /// Exact GELU, x · Φ(x) = ½x(1 + erf(x/√2)), in place.
  public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let invSqrt2: Float = 0.707_106_781_186_547_6
    let raw = UnsafeMutableRawPointer(x)
    var i = 0
    while i + 8 <= count {
      let v = raw.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self)
      raw.storeBytes(
        of: 0.5 * v * (1 + FastMath.erf(v * invSqrt2)), toByteOffset: i * 4,
        as: FastMath.Vector.self)
      i += 8
    }
    while i < count {
      let v = x[i]
      x[i] = 0.5 * v * (1 + erff(v * invSqrt2))
      i += 1
    }
  }

  /// Softmax of each of `rows` rows of `width` values, in place, over the first `valid`
  /// entries of each row; the rest are set to 0 (masked keys).
  public static func softmaxRows(
    _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, valid: Int
  ) {
    for r in 0..<rows {
      let row = x + r * width
      var peak = -Float.infinity
      for i in 0..<valid where row[i] > peak { peak = row[i] }
      var sum: Float = 0
      let raw = UnsafeMutableRawPointer(row)
      var i = 0
      var partial = FastMath.Vector()
      while i + 8 <= valid {
        let e = FastMath.exp(
          raw.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self) - peak)
        raw.storeBytes(of: e, toByteOffset: i * 4, as: FastMath.Vector.self)
        partial += e
        i += 8
      }
      sum = partial.sum()
      while i < valid {
        let e = expf(row[i] - peak)
        row[i] = e
        sum += e
        i += 1
      }
      let inverse = 1 / sum
      for i in 0..<valid { row[i] *= inverse }
      for i in valid..<width { row[i] = 0 }
    }
  }
}
