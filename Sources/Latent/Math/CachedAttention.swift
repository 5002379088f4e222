/// One head's attention of a query over cached keys and values, in plain SIMD loops. A
/// decoder step attends one new position per row over a few dozen cached ones: the
/// arithmetic is a few thousand multiply-adds per head, far less than what two BLAS calls
/// per row and head cost to set up (the packing copies dominated a busy server's profile).
enum CachedAttention {
  /// `context[0..<size] = Σ_t softmax(scale · query·key_t)_t · value_t` over `length`
  /// positions. Key and value t start at `keys + t * stride` and `values + t * stride`;
  /// `scores` has room for `length` floats.
  @inline(__always)
  static func head(
    query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
    stride: Int, length: Int, size: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
    into context: UnsafeMutablePointer<Float>
  ) {
    let lanes = FastMath.Vector.scalarCount
    let whole = size - size % lanes
    let q = UnsafeRawPointer(query)
    for t in 0..<length {
      let key = UnsafeRawPointer(keys + t * stride)
      var partial = FastMath.Vector()
      var i = 0
      while i < whole {
        partial +=
          q.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self)
          * key.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self)
        i += lanes
      }
      var dot = partial.sum()
      while i < size {
        dot += query[i] * keys[t * stride + i]
        i += 1
      }
      scores[t] = dot * scale
    }
    Activations.softmaxRows(scores, rows: 1, width: length, valid: length)
    context.update(repeating: 0, count: size)
    let out = UnsafeMutableRawPointer(context)
    for t in 0..<length {
      let weight = scores[t]
      let value = UnsafeRawPointer(values + t * stride)
      var i = 0
      while i < whole {
        let sum =
          out.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self)
          + weight * value.loadUnaligned(fromByteOffset: i * 4, as: FastMath.Vector.self)
        out.storeBytes(of: sum, toByteOffset: i * 4, as: FastMath.Vector.self)
        i += lanes
      }
      while i < size {
        context[i] += weight * values[t * stride + i]
        i += 1
      }
    }
  }
}
