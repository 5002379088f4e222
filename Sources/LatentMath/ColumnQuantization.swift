/// The int8 rounding `BytePanelMatrix` and `ByteTileMatrix` share: symmetric, one fp32 scale
/// per column (its largest magnitude ÷ 127), round to nearest, so both hold exactly the same
/// quantized weights.
enum ColumnQuantization {
  /// Each column's scale, padded with ones to `padded` values; nil when a value is not
  /// finite.
  static func scales(
    depth: Int, columns: Int, padded: Int, value: (_ k: Int, _ j: Int) -> Float
  ) -> [Float]? {
    var scales = [Float](repeating: 1, count: padded)
    for j in 0..<columns {
      var largest: Float = 0
      for k in 0..<depth {
        let x = value(k, j)
        guard x.isFinite else { return nil }
        largest = max(largest, abs(x))
      }
      if largest > 0 { scales[j] = largest / 127 }
    }
    return scales
  }

  /// `x` on the grid of `scale`, clamped to ±127.
  static func quantized(_ x: Float, scale: Float) -> Int8 {
    Int8(min(127, max(-127, (x / scale).rounded())))
  }
}
