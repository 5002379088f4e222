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
