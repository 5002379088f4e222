/// A linear layer on raw row-major buffers, shared by the encoder and the decoder.
enum Dense {
  /// output[:, columns] = input · weight[:, columns] + bias[columns] (+ residual[:, columns]),
  /// then GELU if asked. `weight` is [k, n] row-major; `output` and `residual` are
  /// [rows, n]. Computing a block of columns lets callers split one layer across threads.
  static func linear(
    _ input: UnsafePointer<Float>, rows: Int, inWidth k: Int, _ weight: [Float], _ bias: [Float],
    outWidth n: Int, columns: Range<Int>, into output: UnsafeMutablePointer<Float>,
    residual: UnsafePointer<Float>? = nil, gelu: Bool = false
  ) {
    layer(
      output, rows: rows, width: n, bias: bias, columns: columns, residual: residual, gelu: gelu
    ) {
      start, width in
      weight.withUnsafeBufferPointer { w in
        BLAS.gemm(
          m: rows, n: width, k: k, a: input, lda: k, b: w.baseAddress! + start, ldb: n, beta: 1,
          c: output + start, ldc: n)
      }
    }
  }

  /// output[:, columns] = bias[columns] (+ residual[:, columns]), then
  /// `accumulate(first column, width)` adds the product into those columns, then GELU if
  /// asked. `output` and `residual` are [rows, n]. Does nothing for no columns.
  static func layer(
    _ output: UnsafeMutablePointer<Float>, rows: Int, width n: Int, bias: [Float],
    columns: Range<Int>, residual: UnsafePointer<Float>?, gelu: Bool,
    accumulate: (_ start: Int, _ width: Int) -> Void
  ) {
    let (start, width) = (columns.lowerBound, columns.count)
    guard width > 0 else { return }
    bias.withUnsafeBufferPointer { b in
      for r in 0..<rows {
        let row = output + r * n + start
        row.update(from: b.baseAddress! + start, count: width)
        if let residual {
          let res = residual + r * n + start
          for i in 0..<width { row[i] += res[i] }
        }
      }
    }
    accumulate(start, width)
    if gelu {
      for r in 0..<rows { Activations.gelu(output + r * n + start, count: width) }
    }
  }
}
