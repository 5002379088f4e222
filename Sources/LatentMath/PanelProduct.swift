/// A weight matrix packed for `PanelKernel` (fp16 or int8 panels): what a decoder step
/// needs of it, whichever the precision.
public protocol PanelProduct: Sendable {
  /// Rows of the weight (the inner dimension of a product).
  var depth: Int { get }
  /// Columns of the weight (the width of a product's output).
  var columns: Int { get }

  /// c[r, part] += a[r, 0..<depth] · W[:, part] for r < rows (`part`: a `split`'s range, or
  /// every column when nil). `a` has `rows` rows `lda` apart and `c` has them `ldc` apart.
  /// - Precondition: the CPU runs the kernel; rows > 0; lda ≥ depth; ldc ≥ columns; `part`
  ///   starts on a panel.
  func multiplyAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    part: Range<Int>?)

  /// The columns cut into `parts` ranges of whole panels, as even as panels allow (the
  /// last ones may be empty).
  func split(_ parts: Int) -> [Range<Int>]
}

/// A panel product packed from its weight's values (fp16 or int8 panels, int8 tiles): the
/// row-major and transposed-table initialisers are this protocol's.
public protocol PackedWeight: PanelProduct {
  /// Packs W [depth, columns], W[k, j] = `value(k, j)`; nil when a value does not fit the
  /// packed form (fp16: not exactly an fp16; int8: not finite).
  init?(depth: Int, columns: Int, value: (_ k: Int, _ j: Int) -> Float)
}

extension PackedWeight {
  /// Packs a row-major weight [depth, columns]; nil as `init(depth:columns:value:)`.
  public init?(weight: [Float], depth: Int, columns: Int) {
    self.init(
      depth: depth, columns: columns,
      value: PanelLayout.rowMajor(weight, depth: depth, columns: columns))
  }

  /// Packs the transpose of a row-major table [rows, width]: a product with it computes
  /// x · tableᵀ (the decoder's logits against its tied token table). Nil as above.
  public init?(transposing table: [Float], rows: Int, width: Int) {
    self.init(
      depth: width, columns: rows, value: PanelLayout.transposed(table, rows: rows, width: width))
  }
}
