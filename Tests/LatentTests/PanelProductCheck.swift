import Latent

/// A panel product against a plain double-precision one: `multiply(a, lda, c, ldc)` adds
/// a[rows, depth] · weight[depth, columns] into c, with strided rows on both sides and a
/// non-zero start; returns the worst difference (columns past `columns` must be untouched).
func worstPanelProductError(
  rows: Int, depth: Int, columns: Int, weight: [Float], random: inout SplitMix64,
  multiply: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void
) -> Double {
  let (lda, ldc) = (depth + 3, columns + 5)
  let input = (0..<rows * lda).map { _ in random.nextGaussian() }
  let start = (0..<rows * ldc).map { _ in random.nextGaussian() }
  var output = start
  input.withUnsafeBufferPointer { a in
    output.withUnsafeMutableBufferPointer { c in multiply(a.baseAddress!, lda, c.baseAddress!, ldc)
    }
  }
  var worst = 0.0
  for r in 0..<rows {
    for j in 0..<ldc {
      var expected = Double(start[r * ldc + j])
      if j < columns {
        for k in 0..<depth {
          expected += Double(input[r * lda + k]) * Double(weight[k * columns + j])
        }
      }
      worst = max(worst, abs(expected - Double(output[r * ldc + j])))
    }
  }
  return worst
}

/// `worstPanelProductError` of `matrix`, packed from `weight`, run in the two parts two
/// threads would split it into.
func worstSplitProductError(
  _ matrix: any PanelProduct, rows: Int, weight: [Float], random: inout SplitMix64
) -> Double {
  worstPanelProductError(
    rows: rows, depth: matrix.depth, columns: matrix.columns, weight: weight, random: &random
  ) { a, lda, c, ldc in
    for part in matrix.split(2) {
      matrix.multiplyAccumulate(a, rows: rows, lda: lda, into: c, ldc: ldc, part: part)
    }
  }
}
