import LatentKernels

/// A weight matrix [depth, columns] kept as fp32 panels for `PanelKernel`: the encoder's
/// products without `cblas_sgemm`'s re-packing of the weights on every call, which costs
/// more than the arithmetic when a call multiplies a few sentences' tokens
/// (`latitude-bench kernels` measures both). The weights are the fp32 ones, so a product
/// differs from BLAS's by summation order alone.
public struct FloatPanelMatrix: PanelProduct {
  /// Rows of the weight (the inner dimension of a product).
  public let depth: Int
  /// Columns of the weight (the width of a product's output).
  public let columns: Int
  private let panels: [Float]

  /// Whether this CPU runs the kernel (the same check as `HalfPanelMatrix`'s).
  public static var isSupported: Bool { HalfPanelMatrix.isSupported }

  /// Packs a row-major weight [depth, columns].
  public init(weight: [Float], depth: Int, columns: Int) {
    precondition(depth > 0 && columns > 0 && weight.count == depth * columns)
    self.depth = depth
    self.columns = columns
    panels =
      PanelLayout.pack(depth: depth, columns: columns, value: { k, j in weight[k * columns + j] }) {
        $0
      }!
  }

  /// c[r, part] += a[r, 0..<depth] · W[:, part] for r < rows (`part`: a `split`'s range, or
  /// every column). `a` has `rows` rows `lda` apart and `c` has them `ldc` apart.
  /// - Precondition: `isSupported`; rows > 0; lda ≥ depth; ldc ≥ columns; `part` starts on
  ///   a panel.
  public func multiplyAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    part: Range<Int>? = nil
  ) {
    PanelLayout.columns(
      part, of: panels, rows: rows, depth: depth, columns: columns, lda: lda, ldc: ldc,
      supported: Self.isSupported
    ) { panel, part in
      PanelKernel.multiplyAccumulate(
        rows: rows, depth: depth, columns: part.count, a: a, lda: lda, panels: panel,
        c: c + part.lowerBound, ldc: ldc)
    }
  }

  /// The columns cut into `parts` ranges of whole panels (the last ones may be empty).
  public func split(_ parts: Int) -> [Range<Int>] { PanelLayout.split(columns: columns, parts) }
}
