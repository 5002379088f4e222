/// Matrix products on weights laid out once in panels, for CPUs with AVX-512 and F16C: the
/// decoder's skinny products (a few rows × a 384- or 1536-wide weight) on its fp16 weights
/// (or on int8 ones with a scale per column), and the encoder's on its fp32 weights, where
/// `cblas_sgemm` would re-pack the weights on every call.
///
/// This module is compiled for `skylake-avx512` (see Package.swift), so its code may only run
/// after the caller has checked the CPU: `HalfPanelMatrix.isSupported` in LatentMath does.
/// It has no stored state, so nothing in it runs at load time.
///
/// Layout: a weight W [depth, columns] is cut into panels of `panelWidth` columns; panel p
/// holds W[0..<depth, 32p..<32p+32] row after row (the last panel padded with zeros), so the
/// kernel reads every weight once, in order, whatever the number of rows. One row of a
/// panel is 64 bytes, one cache line.
public enum PanelKernel {
  /// Columns per panel: two 16-lane vectors.
  public static let panelWidth = 32

  /// c[r, j] += Σₖ a[r, k] · W[k, j] for r < rows, j < columns, where W is `panels` laid out
  /// as above for `depth` × `columns`. Accumulates in fp32; the fp16 weights are widened
  /// exactly. `a` is [rows, lda] and `c` is [rows, ldc], row-major.
  /// - Precondition: rows > 0, depth > 0, columns > 0, lda ≥ depth, ldc ≥ columns, and
  ///   `panels` holds ⌈columns / 32⌉ · depth · 32 halves (checked by the caller).
  @inline(never)
  public static func multiplyAccumulate(
    rows: Int, depth: Int, columns: Int, a: UnsafePointer<Float>, lda: Int,
    panels: UnsafePointer<Float16>, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    product(
      rows: rows, depth: depth, columns: columns, a: a, lda: lda,
      panels: UnsafeRawPointer(panels), c: c, ldc: ldc, bytes: 2, scales: nil)
  }

  /// The same product on fp32 panels (the same layout, 128 bytes per panel row).
  @inline(never)
  public static func multiplyAccumulate(
    rows: Int, depth: Int, columns: Int, a: UnsafePointer<Float>, lda: Int,
    panels: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    product(
      rows: rows, depth: depth, columns: columns, a: a, lda: lda,
      panels: UnsafeRawPointer(panels), c: c, ldc: ldc, bytes: 4, scales: nil)
  }

  /// The same product on int8 panels (32 bytes per panel row): c[r, j] += scales[j] ·
  /// Σₖ a[r, k] · q[k, j]. Half the memory traffic of fp16, which is what a few-row product
  /// is bound by.
  /// - Precondition: as above, and `scales` holds ⌈columns / 32⌉ · 32 values.
  @inline(never)
  public static func multiplyAccumulate(
    rows: Int, depth: Int, columns: Int, a: UnsafePointer<Float>, lda: Int,
    panels: UnsafePointer<Int8>, scales: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    ldc: Int
  ) {
    product(
      rows: rows, depth: depth, columns: columns, a: a, lda: lda,
      panels: UnsafeRawPointer(panels), c: c, ldc: ldc, bytes: 1, scales: scales)
  }

  /// The loop the products share, inlined into each with `bytes` constant (the size of a
  /// panel weight: int8, fp16 or fp32) and `scales` nil or not, so the branches fold away.
  /// (Not a closure that reads the weights: the optimiser left its call out of line,
  /// returning its sixteen lanes in four registers and spilling every accumulator around
  /// the call; and not a protocol, whose conformances' witness thunks are weak symbols,
  /// which this module must not define.)
  @inline(__always)
  private static func product(
    rows: Int, depth: Int, columns: Int, a: UnsafePointer<Float>, lda: Int,
    panels: UnsafeRawPointer, c: UnsafeMutablePointer<Float>, ldc: Int, bytes: Int,
    scales: UnsafePointer<Float>?
  ) {
    let panelCount = (columns + panelWidth - 1) / panelWidth
    for p in 0..<panelCount {
      let panel = panels + p * depth * panelWidth * bytes
      let scale = scales.map { Scale(base: $0 + p * panelWidth) }
      let width = min(panelWidth, columns - p * panelWidth)
      // Eight rows at a time while more than four are left (each panel row is widened once
      // for all eight), then four.
      var first = 0
      while first < rows {
        if rows - first > 4 {
          eightRows(
            first: first, rows: rows, depth: depth, a: a, lda: lda, panel: panel,
            c: c + p * panelWidth, ldc: ldc, width: width, bytes: bytes, scale: scale)
          first += 8
        } else {
          fourRows(
            first: first, rows: rows, depth: depth, a: a, lda: lda, panel: panel,
            c: c + p * panelWidth, ldc: ldc, width: width, bytes: bytes, scale: scale)
          first += 4
        }
      }
    }
  }

  /// Rows first..<first+4 (fewer at the end) of one panel: eight 16-lane accumulators.
  @inline(__always)
  private static func fourRows(
    first: Int, rows: Int, depth: Int, a: UnsafePointer<Float>, lda: Int,
    panel: UnsafeRawPointer, c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, bytes: Int,
    scale: Scale?
  ) {
    let last = rows - 1
    // Rows past the end repeat the last row; their sums are computed and dropped.
    let x0 = a + first * lda
    let x1 = a + min(first + 1, last) * lda
    let x2 = a + min(first + 2, last) * lda
    let x3 = a + min(first + 3, last) * lda
    var s00 = SIMD16<Float>(), s01 = SIMD16<Float>()
    var s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
    var s20 = SIMD16<Float>(), s21 = SIMD16<Float>()
    var s30 = SIMD16<Float>(), s31 = SIMD16<Float>()
    var w = panel
    for k in 0..<depth {
      let w0 = sixteen(w, bytes: bytes)
      let w1 = sixteen(w + 16 * bytes, bytes: bytes)
      w += panelWidth * bytes
      multiplyAdd(&s00, &s01, x0[k], w0, w1)
      multiplyAdd(&s10, &s11, x1[k], w0, w1)
      multiplyAdd(&s20, &s21, x2[k], w0, w1)
      multiplyAdd(&s30, &s31, x3[k], w0, w1)
    }
    let count = min(4, rows - first)
    add(s00, s01, scale, to: c + first * ldc, width: width)
    if count > 1 { add(s10, s11, scale, to: c + (first + 1) * ldc, width: width) }
    if count > 2 { add(s20, s21, scale, to: c + (first + 2) * ldc, width: width) }
    if count > 3 { add(s30, s31, scale, to: c + (first + 3) * ldc, width: width) }
  }

  /// Rows first..<first+8 (fewer at the end) of one panel: sixteen 16-lane accumulators,
  /// the same sums in the same order as two calls of `fourRows`.
  @inline(__always)
  private static func eightRows(
    first: Int, rows: Int, depth: Int, a: UnsafePointer<Float>, lda: Int,
    panel: UnsafeRawPointer, c: UnsafeMutablePointer<Float>, ldc: Int, width: Int, bytes: Int,
    scale: Scale?
  ) {
    let last = rows - 1
    // Rows past the end repeat the last row; their sums are computed and dropped.
    func row(_ r: Int) -> UnsafePointer<Float> { a + min(first + r, last) * lda }
    let (x0, x1, x2, x3) = (row(0), row(1), row(2), row(3))
    let (x4, x5, x6, x7) = (row(4), row(5), row(6), row(7))
    var s00 = SIMD16<Float>(), s01 = SIMD16<Float>()
    var s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
    var s20 = SIMD16<Float>(), s21 = SIMD16<Float>()
    var s30 = SIMD16<Float>(), s31 = SIMD16<Float>()
    var s40 = SIMD16<Float>(), s41 = SIMD16<Float>()
    var s50 = SIMD16<Float>(), s51 = SIMD16<Float>()
    var s60 = SIMD16<Float>(), s61 = SIMD16<Float>()
    var s70 = SIMD16<Float>(), s71 = SIMD16<Float>()
    var w = panel
    for k in 0..<depth {
      let w0 = sixteen(w, bytes: bytes)
      let w1 = sixteen(w + 16 * bytes, bytes: bytes)
      w += panelWidth * bytes
      multiplyAdd(&s00, &s01, x0[k], w0, w1)
      multiplyAdd(&s10, &s11, x1[k], w0, w1)
      multiplyAdd(&s20, &s21, x2[k], w0, w1)
      multiplyAdd(&s30, &s31, x3[k], w0, w1)
      multiplyAdd(&s40, &s41, x4[k], w0, w1)
      multiplyAdd(&s50, &s51, x5[k], w0, w1)
      multiplyAdd(&s60, &s61, x6[k], w0, w1)
      multiplyAdd(&s70, &s71, x7[k], w0, w1)
    }
    let count = min(8, rows - first)
    add(s00, s01, scale, to: c + first * ldc, width: width)
    if count > 1 { add(s10, s11, scale, to: c + (first + 1) * ldc, width: width) }
    if count > 2 { add(s20, s21, scale, to: c + (first + 2) * ldc, width: width) }
    if count > 3 { add(s30, s31, scale, to: c + (first + 3) * ldc, width: width) }
    if count > 4 { add(s40, s41, scale, to: c + (first + 4) * ldc, width: width) }
    if count > 5 { add(s50, s51, scale, to: c + (first + 5) * ldc, width: width) }
    if count > 6 { add(s60, s61, scale, to: c + (first + 6) * ldc, width: width) }
    if count > 7 { add(s70, s71, scale, to: c + (first + 7) * ldc, width: width) }
  }

  /// low += x · w0 and high += x · w1 (fused multiply-adds).
  @inline(__always)
  private static func multiplyAdd(
    _ low: inout SIMD16<Float>, _ high: inout SIMD16<Float>, _ x: Float, _ w0: SIMD16<Float>,
    _ w1: SIMD16<Float>
  ) {
    let broadcast = SIMD16<Float>(repeating: x)
    low.addProduct(broadcast, w0)
    high.addProduct(broadcast, w1)
  }

  /// An int8 panel's column scales: 32 of them.
  private struct Scale {
    let base: UnsafePointer<Float>
    var low: SIMD16<Float> { UnsafeRawPointer(base).loadUnaligned(as: SIMD16<Float>.self) }
    var high: SIMD16<Float> {
      UnsafeRawPointer(base + 16).loadUnaligned(as: SIMD16<Float>.self)
    }
  }

  /// out[0..<width] += (low ‖ high) (each lane times its column's scale, for int8 panels),
  /// width ≤ 32.
  @inline(__always)
  private static func add(
    _ low: SIMD16<Float>, _ high: SIMD16<Float>, _ scale: Scale?,
    to out: UnsafeMutablePointer<Float>, width: Int
  ) {
    var (low, high) = (low, high)
    if let scale {
      low *= scale.low
      high *= scale.high
    }
    if width == panelWidth {
      let raw = UnsafeMutableRawPointer(out)
      raw.storeBytes(
        of: raw.loadUnaligned(as: SIMD16<Float>.self) + low, as: SIMD16<Float>.self)
      (raw + 64).storeBytes(
        of: (raw + 64).loadUnaligned(as: SIMD16<Float>.self) + high, as: SIMD16<Float>.self)
      return
    }
    for j in 0..<width { out[j] += j < 16 ? low[j] : high[j - 16] }
  }

  /// Sixteen consecutive panel weights as fp32: fp16 and int8 ones widened exactly, lane by
  /// lane with the scalar conversion (always inlined), which the optimiser turns into one
  /// `vcvtph2ps` (or a sign extension and a `vcvtdq2ps`); the stdlib's generic SIMD
  /// conversion would be an out-of-line call with weak linkage, a copy of which another
  /// module could win at link time.
  @inline(__always)
  private static func sixteen(_ weights: UnsafeRawPointer, bytes: Int) -> SIMD16<Float> {
    var result = SIMD16<Float>()
    switch bytes {
    case 1:
      let byte = weights.assumingMemoryBound(to: Int8.self)
      for i in 0..<16 { result[i] = Float(byte[i]) }
    case 2:
      let half = weights.assumingMemoryBound(to: Float16.self)
      for i in 0..<16 { result[i] = Float(half[i]) }
    default:
      result = weights.loadUnaligned(as: SIMD16<Float>.self)
    }
    return result
  }
}
