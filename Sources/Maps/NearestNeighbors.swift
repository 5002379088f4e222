import LatentMath

/// Exact cosine k-nearest-neighbour search by blocked matrix products on OpenBLAS: a block
/// of queries times every reference point, then a top-k selection per row. 50,000 points
/// of 384 dimensions take a 512 × 50,000 similarity block (100 MB) at a time.
public enum NearestNeighbors {
  /// Query rows per matrix product.
  static let blockRows = 512

  /// The `k` nearest other points of every row of `points` (k is capped at count − 1).
  /// `progress` is called with the number of rows done.
  public static func exact(
    _ points: Matrix, k: Int, progress: ((Int) -> Void)? = nil
  ) -> NeighborGraph {
    symmetricSearch(normalizedRows(points), k: min(k, points.rows - 1), progress: progress)
  }

  /// All points against all: only the blocks on and above the diagonal are multiplied
  /// (similarity is symmetric), each block offering its values to its rows and, transposed,
  /// to its columns' rows. Candidates reach every row in increasing index order, so ties
  /// keep the lower index, as the query search does.
  private static func symmetricSearch(
    _ unit: Matrix, k: Int, progress: ((Int) -> Void)?
  ) -> NeighborGraph {
    let n = unit.rows
    let d = unit.columns
    guard k > 0, n > 1 else { return NeighborGraph(count: n, k: 0, indices: [], distances: []) }
    var similarity = [Float](repeating: -.infinity, count: n * k)
    var indices = [Int32](repeating: 0, count: n * k)
    var filled = [Int](repeating: 0, count: n)
    let side = blockRows
    var block = [Float](repeating: 0, count: min(side, n) * min(side, n))
    for top in stride(from: 0, to: n, by: side) {
      let rows = min(side, n - top)
      for left in stride(from: top, to: n, by: side) {
        let columns = min(side, n - left)
        unit.values.withUnsafeBufferPointer { u in
          block.withUnsafeMutableBufferPointer { c in
            BLAS.gemmTransposedB(
              m: rows, n: columns, k: d, a: u.baseAddress! + top * d, lda: d,
              b: u.baseAddress! + left * d, ldb: d, beta: 0, c: c.baseAddress!, ldc: columns)
          }
        }
        block.withUnsafeBufferPointer { sims in
          similarity.withUnsafeMutableBufferPointer { best in
            indices.withUnsafeMutableBufferPointer { index in
              // Rows of the top block against the left block's columns …
              for r in 0..<rows {
                let row = top + r
                for c in 0..<columns where left + c != row {
                  offer(
                    sims[r * columns + c], index: left + c, to: row, k: k, best: best,
                    indices: index, filled: &filled[row])
                }
              }
              // … and, off the diagonal, the left block's rows against the top block's.
              guard left != top else { return }
              for c in 0..<columns {
                let row = left + c
                for r in 0..<rows {
                  offer(
                    sims[r * columns + c], index: top + r, to: row, k: k, best: best,
                    indices: index, filled: &filled[row])
                }
              }
            }
          }
        }
      }
      progress?(top + rows)
    }
    return NeighborGraph(
      count: n, k: k, indices: indices, distances: similarity.map { max(0, 1 - $0) })
  }

  /// Offers one candidate to a row's sorted top-k (largest similarity first).
  @inline(__always)
  private static func offer(
    _ s: Float, index: Int, to row: Int, k: Int, best: UnsafeMutableBufferPointer<Float>,
    indices: UnsafeMutableBufferPointer<Int32>, filled: inout Int
  ) {
    let base = row * k
    if filled == k {
      guard s > best[base + k - 1] else { return }
    } else {
      filled += 1
    }
    var slot = filled - 1
    while slot > 0 && best[base + slot - 1] < s {
      best[base + slot] = best[base + slot - 1]
      indices[base + slot] = indices[base + slot - 1]
      slot -= 1
    }
    best[base + slot] = s
    indices[base + slot] = Int32(index)
  }

  /// The `k` nearest rows of `reference` for each row of `queries` (k is capped at the
  /// reference's size). Rows need not be unit length.
  public static func query(_ queries: Matrix, in reference: Matrix, k: Int) -> NeighborGraph {
    precondition(queries.columns == reference.columns, "query and reference dimensions differ")
    return search(
      queries: normalizedRows(queries), reference: normalizedRows(reference),
      k: min(k, reference.rows))
  }

  /// Rows scaled to unit length; an all-zero row stays zero (cosine 0 with everything).
  public static func normalizedRows(_ points: Matrix) -> Matrix {
    var out = points
    let d = points.columns
    out.values.withUnsafeMutableBufferPointer { v in
      for r in 0..<points.rows {
        var sum: Float = 0
        for c in 0..<d { sum += v[r * d + c] * v[r * d + c] }
        guard sum > 0 else { continue }
        let scale = 1 / sum.squareRoot()
        for c in 0..<d { v[r * d + c] *= scale }
      }
    }
    return out
  }

  /// Each query row against every reference row, a block of queries at a time.
  private static func search(queries: Matrix, reference: Matrix, k: Int) -> NeighborGraph {
    let n = queries.rows
    let m = reference.rows
    let d = queries.columns
    let k = max(0, k)
    guard k > 0, n > 0 else { return NeighborGraph(count: n, k: k, indices: [], distances: []) }
    var similarity = [Float](repeating: -.infinity, count: n * k)
    var indices = [Int32](repeating: 0, count: n * k)
    var filled = [Int](repeating: 0, count: n)
    var block = [Float](repeating: 0, count: min(blockRows, n) * m)
    for start in stride(from: 0, to: n, by: blockRows) {
      let rows = min(blockRows, n - start)
      queries.values.withUnsafeBufferPointer { q in
        reference.values.withUnsafeBufferPointer { r in
          block.withUnsafeMutableBufferPointer { c in
            BLAS.gemmTransposedB(
              m: rows, n: m, k: d, a: q.baseAddress! + start * d, lda: d, b: r.baseAddress!,
              ldb: d, beta: 0, c: c.baseAddress!, ldc: m)
          }
        }
      }
      block.withUnsafeBufferPointer { sims in
        similarity.withUnsafeMutableBufferPointer { best in
          indices.withUnsafeMutableBufferPointer { index in
            for row in 0..<rows {
              let query = start + row
              for column in 0..<m {
                offer(
                  sims[row * m + column], index: column, to: query, k: k, best: best,
                  indices: index, filled: &filled[query])
              }
            }
          }
        }
      }
    }
    return NeighborGraph(
      count: n, k: k, indices: indices, distances: similarity.map { max(0, 1 - $0) })
  }
}
