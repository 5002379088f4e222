import CTileKernel

/// A weight matrix [depth, columns] kept as int8 tiles for Intel AMX (TDPBSSD), quantized
/// exactly as `BytePanelMatrix` quantizes it (one scale per column). Each product also
/// rounds its rows of activations to int8, one scale per row (largest magnitude ÷ 127),
/// sums exactly in int32 and scales once: the decoder's few-row steps without the panels'
/// per-weight widening. The activations' rounding is a second approximation on top of the
/// weights'; `latitude-bench kernels` and `latitude-bench decode` measure what it costs.
public struct ByteTileMatrix: PackedWeight {
  /// Rows of the weight (the inner dimension of a product).
  public let depth: Int
  /// Columns of the weight (the width of a product's output).
  public let columns: Int
  private let tiles: [Int8]
  /// One per column, padded with ones to whole tile pairs.
  private let scales: [Float]

  /// Whether this CPU has AMX-INT8 and the operating system lets this process use it.
  public static let isSupported: Bool = lat_byte_tiles_available() != 0

  /// Quantizes W[k, j] = `value(k, j)` (as `BytePanelMatrix`); nil when a value is not
  /// finite.
  public init?(depth: Int, columns: Int, value: (_ k: Int, _ j: Int) -> Float) {
    let alignment = TileMatrix.partAlignment
    guard
      let scales = ColumnQuantization.scales(
        depth: depth, columns: columns,
        padded: (columns + alignment - 1) / alignment * alignment, value: value)
    else { return nil }
    var rowMajor = [Int8](repeating: 0, count: depth * columns)
    for k in 0..<depth {
      for j in 0..<columns {
        rowMajor[k * columns + j] = ColumnQuantization.quantized(value(k, j), scale: scales[j])
      }
    }
    let count = lat_byte_tiles_packed_count(depth, columns)
    tiles = [Int8](unsafeUninitializedCapacity: count) { buffer, initialized in
      lat_byte_tiles_pack(rowMajor, depth, columns, buffer.baseAddress!)
      initialized = count
    }
    self.depth = depth
    self.columns = columns
    self.scales = scales
  }

  /// c[r, part] += a[r, 0..<depth] · W[:, part] for r < rows (`part`: a `split`'s range, or
  /// every column). `a` has `rows` rows `lda` apart and `c` has them `ldc` apart.
  /// - Precondition: `isSupported`; rows > 0; lda ≥ depth; ldc ≥ columns; `part` starts on
  ///   a multiple of `TileMatrix.partAlignment` and ends inside the matrix.
  public func multiplyAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    part: Range<Int>?
  ) {
    precondition(Self.isSupported, "an int8 tile matrix used where AMX-INT8 is not available")
    guard
      let part = TileMatrix.checkedPart(
        part, rows: rows, lda: lda, ldc: ldc, depth: depth, columns: columns)
    else { return }
    let status = tiles.withUnsafeBufferPointer { tiles in
      scales.withUnsafeBufferPointer { scales in
        lat_byte_tiles_multiply_accumulate(
          a, rows, lda, tiles.baseAddress!, scales.baseAddress!, depth, columns, part.lowerBound,
          part.upperBound, c, ldc)
      }
    }
    precondition(status == 0, "out of memory rounding \(rows) rows for an int8 tile product")
  }

  /// The columns cut into `parts` ranges of whole tile pairs (as `TileMatrix.split`).
  public func split(_ parts: Int) -> [Range<Int>] {
    TileMatrix.split(columns: columns, parts)
  }
}
