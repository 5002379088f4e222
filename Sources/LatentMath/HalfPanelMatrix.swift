import LatentKernels

/// A weight matrix [depth, columns] kept as fp16 panels for `PanelKernel`: half the
/// memory traffic of fp32, and a layout the kernel streams once per product, which is what
/// the decoder's few-row products are bound by (`latitude-bench kernels` measures it
/// against `cblas_sgemm` on the fp32 weights).
///
/// Made only from weights that fp16 holds exactly (the decoder's are stored as fp16), so a
/// product differs from the fp32 one by summation order alone.
public struct HalfPanelMatrix: PackedWeight {
  /// Rows of the weight (the inner dimension of a product).
  public let depth: Int
  /// Columns of the weight (the width of a product's output).
  public let columns: Int
  private let panels: [Float16]

  /// Whether this CPU runs the kernel (AVX-512 F/BW/DQ/VL/CD, FMA, F16C and the rest of the
  /// `skylake-avx512` family it is compiled for). Read once.
  public static let isSupported: Bool = BLASKernel.cpuFlags().isSuperset(of: requiredFlags)

  /// /proc/cpuinfo flags of the instruction sets `skylake-avx512` code may use.
  static let requiredFlags: Set<String> = [
    "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx2", "avx", "fma", "f16c",
    "bmi1", "bmi2", "abm", "movbe", "popcnt", "sse4_2",
  ]

  /// Packs W[k, j] = `value(k, j)`; nil when a value is not exactly an fp16 (or is NaN),
  /// so that the packed product would not be the fp32 one.
  public init?(depth: Int, columns: Int, value: (_ k: Int, _ j: Int) -> Float) {
    let packed = PanelLayout.pack(depth: depth, columns: columns, value: value) { x in
      let half = Float16(x)
      return Float(half) == x ? half : nil
    }
    guard let packed else { return nil }
    self.depth = depth
    self.columns = columns
    panels = packed
  }

  /// c[r, 0..<columns] += a[r, 0..<depth] · W for r < rows. `a` has `rows` rows `lda` apart
  /// and `c` has them `ldc` apart. With `part` (a `split`'s range), only those columns.
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

  /// The columns cut into `parts` ranges of whole panels, as even as panels allow (the
  /// last ones may be empty).
  public func split(_ parts: Int) -> [Range<Int>] {
    PanelLayout.split(columns: columns, parts)
  }
}
