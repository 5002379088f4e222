import LatentKernels

/// A weight matrix [depth, columns] kept as int8 panels for `PanelKernel`, with one fp32
/// scale per column (symmetric, round to nearest: W[k, j] ≈ scale[j] · q[k, j]): half the
/// memory traffic of fp16 panels, which is what the decoder's few-row products are bound
/// by. Unlike fp16 panels it changes the weights (by at most half a step of each column's
/// grid), so a product differs from the fp32 one by more than summation order;
/// `latitude-bench kernels` and `latitude-bench decode` measure what it costs.
public struct BytePanelMatrix: PackedWeight {
  public let depth: Int
  public let columns: Int
  private let panels: [Int8]
  /// One per column, padded with ones to whole panels.
  private let scales: [Float]

  /// Whether this CPU runs the kernel (the same check as `HalfPanelMatrix`'s).
  public static var isSupported: Bool { HalfPanelMatrix.isSupported }

  /// Quantizes W[k, j] = `value(k, j)`; nil when a value is not finite.
  public init?(depth: Int, columns: Int, value: (_ k: Int, _ j: Int) -> Float) {
    let width = PanelKernel.panelWidth
    guard
      let scales = ColumnQuantization.scales(
        depth: depth, columns: columns, padded: (columns + width - 1) / width * width,
        value: value)
    else { return nil }
    let packed = PanelLayout.pack(depth: depth, columns: columns) { k, j in
      Float(ColumnQuantization.quantized(value(k, j), scale: scales[j]))
    } convert: {
      Int8(exactly: $0)
    }!
    self.depth = depth
    self.columns = columns
    self.panels = packed
    self.scales = scales
  }

  public func multiplyAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    part: Range<Int>?
  ) {
    scales.withUnsafeBufferPointer { scales in
      PanelLayout.columns(
        part, of: panels, rows: rows, depth: depth, columns: columns, lda: lda, ldc: ldc,
        supported: Self.isSupported
      ) { panel, part in
        PanelKernel.multiplyAccumulate(
          rows: rows, depth: depth, columns: part.count, a: a, lda: lda, panels: panel,
          scales: scales.baseAddress! + part.lowerBound, c: c + part.lowerBound, ldc: ldc)
      }
    }
  }

  public func split(_ parts: Int) -> [Range<Int>] { PanelLayout.split(columns: columns, parts) }
}
