import CTileKernel

/// A weight matrix [depth, columns] kept as bf16 tiles for Intel AMX: the encoder's products
/// with both factors rounded to bf16 (8 significant bits) and the sums kept in fp32. An
/// embedding keeps a cosine above 0.9999 with the exact one (`latitude-bench kernels`
/// measures it), so it ranks decode candidates and leaves node embeddings to the exact
/// kernels.
public struct TileMatrix: Sendable, PanelProduct {
  /// Rows of the weight (the inner dimension of a product).
  public let depth: Int
  /// Columns of the weight (the width of a product's output).
  public let columns: Int
  private let tiles: [UInt16]

  /// Whether this CPU has AMX-BF16 and the operating system lets this process use it.
  public static let isSupported: Bool = lat_tiles_available() != 0

  /// Columns a product's part starts on a multiple of (two tiles).
  public static let partAlignment = 32

  /// Packs a row-major weight [depth, columns].
  public init(weight: [Float], depth: Int, columns: Int) {
    precondition(depth > 0 && columns > 0 && weight.count == depth * columns)
    self.depth = depth
    self.columns = columns
    let count = lat_tiles_packed_count(depth, columns)
    tiles = [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
      weight.withUnsafeBufferPointer {
        lat_tiles_pack($0.baseAddress!, depth, columns, buffer.baseAddress!)
      }
      initialized = count
    }
  }

  /// c[r, part] += a[r, 0..<depth] · W[:, part] for r < rows (`part`: a `split`'s range, or
  /// every column). `a` has `rows` rows `lda` apart and `c` has them `ldc` apart.
  /// - Precondition: `isSupported`; rows > 0; lda ≥ depth; ldc ≥ columns; `part` starts on
  ///   a multiple of `partAlignment` and ends inside the matrix.
  public func multiplyAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
    part: Range<Int>? = nil
  ) {
    precondition(Self.isSupported, "a tile matrix used where AMX is not available")
    guard
      let part = Self.checkedPart(
        part, rows: rows, lda: lda, ldc: ldc, depth: depth, columns: columns)
    else { return }
    let status = tiles.withUnsafeBufferPointer {
      lat_tiles_multiply_accumulate(
        a, rows, lda, $0.baseAddress!, depth, columns, part.lowerBound, part.upperBound, c, ldc)
    }
    precondition(status == 0, "out of memory converting \(rows) rows for a tile product")
  }

  /// The columns cut into `parts` ranges of whole tile pairs, as even as they allow (the
  /// last ones may be empty).
  public func split(_ parts: Int) -> [Range<Int>] { Self.split(columns: columns, parts) }

  /// Checks a tile product's arguments (what both tile matrices' C kernels rely on) and
  /// returns its columns: `part`, or every column; nil for none.
  /// - Precondition: rows > 0; lda ≥ depth; ldc ≥ columns; a non-empty `part` starts on a
  ///   multiple of `partAlignment` and ends inside the matrix.
  static func checkedPart(
    _ part: Range<Int>?, rows: Int, lda: Int, ldc: Int, depth: Int, columns: Int
  ) -> Range<Int>? {
    precondition(rows > 0 && lda >= depth && ldc >= columns)
    let part = part ?? 0..<columns
    guard !part.isEmpty else { return nil }
    precondition(part.lowerBound % partAlignment == 0 && part.upperBound <= columns)
    return part
  }

  /// `columns` cut into `parts` ranges of whole tile pairs (`partAlignment`), as even as
  /// they allow (the last ones may be empty).
  static func split(columns: Int, _ parts: Int) -> [Range<Int>] {
    let width = partAlignment
    let blocks = (columns + width - 1) / width
    let per = (blocks + parts - 1) / parts
    return (0..<parts).map { part in
      min(columns, part * per * width)..<min(columns, (part + 1) * per * width)
    }
  }
}
