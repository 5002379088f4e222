import LatentKernels

/// What `HalfPanelMatrix` and `FloatPanelMatrix` share: packing a weight into `PanelKernel`'s
/// panels, checking a product's arguments, and cutting the columns into whole panels.
enum PanelLayout {
  /// W [depth, columns] (`value(k, j)`) as panels of `PanelKernel.panelWidth` columns, the
  /// last padded with zeros; nil when `convert` refuses a value.
  static func pack<Element>(
    depth: Int, columns: Int, value: (_ k: Int, _ j: Int) -> Float,
    convert: (Float) -> Element?
  ) -> [Element]? {
    let w = PanelKernel.panelWidth
    let panelCount = (columns + w - 1) / w
    var packed: [Element] = []
    packed.reserveCapacity(panelCount * depth * w)
    for p in 0..<panelCount {
      for k in 0..<depth {
        for i in 0..<w {
          let j = p * w + i
          guard let element = convert(j < columns ? value(k, j) : 0) else { return nil }
          packed.append(element)
        }
      }
    }
    return packed
  }

  /// W[k, j] of a row-major weight [depth, columns].
  static func rowMajor(_ weight: [Float], depth: Int, columns: Int) -> (Int, Int) -> Float {
    precondition(depth > 0 && columns > 0 && weight.count == depth * columns)
    return { k, j in weight[k * columns + j] }
  }

  /// W[k, j] = table[j, k] of a row-major table [rows, width]: a product with it computes
  /// x · tableᵀ (the decoder's logits against its tied token table).
  static func transposed(_ table: [Float], rows: Int, width: Int) -> (Int, Int) -> Float {
    precondition(rows > 0 && width > 0 && table.count == rows * width)
    return { k, j in table[j * width + k] }
  }

  /// Checks a product's arguments, then calls `product(first panel, columns)` with the
  /// panels of `part` (or of every column); nothing for no columns.
  /// - Precondition: `supported`; rows > 0; lda ≥ depth; ldc ≥ columns; `part` starts on a
  ///   panel and ends inside the matrix.
  static func columns<Element>(
    _ part: Range<Int>?, of panels: [Element], rows: Int, depth: Int, columns: Int, lda: Int,
    ldc: Int, supported: Bool, product: (UnsafePointer<Element>, Range<Int>) -> Void
  ) {
    precondition(supported, "a panel matrix used on a CPU without AVX-512")
    precondition(rows > 0 && lda >= depth && ldc >= columns)
    let part = part ?? 0..<columns
    guard !part.isEmpty else { return }
    precondition(part.lowerBound % PanelKernel.panelWidth == 0 && part.upperBound <= columns)
    panels.withUnsafeBufferPointer { buffer in
      product(buffer.baseAddress! + part.lowerBound * depth, part)
    }
  }

  /// The columns cut into `parts` ranges of whole panels, as even as panels allow (the last
  /// ones may be empty).
  static func split(columns: Int, _ parts: Int) -> [Range<Int>] {
    let width = PanelKernel.panelWidth
    let panelCount = (columns + width - 1) / width
    let per = (panelCount + parts - 1) / parts
    return (0..<parts).map { part in
      min(columns, part * per * width)..<min(columns, (part + 1) * per * width)
    }
  }
}
