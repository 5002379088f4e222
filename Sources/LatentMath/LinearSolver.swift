import CLapacke

/// Dense linear solves through LAPACK, for callers outside the math core (axis fitting).
public enum LinearSolver {
  /// Solves `matrix · x = rhs` for a symmetric positive-definite `dimension`×`dimension`
  /// matrix (row-major; its upper triangle is read and overwritten). On success `rhs`
  /// holds x and the result is true; false when the matrix is not positive definite or the
  /// sizes do not match (then `rhs` is unspecified).
  public static func solvePositiveDefinite(
    _ matrix: inout [Double], _ rhs: inout [Double], dimension: Int
  ) -> Bool {
    guard dimension > 0, matrix.count == dimension * dimension, rhs.count == dimension else {
      return false
    }
    let info = LAPACKE_dposv(
      LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(dimension), 1, &matrix,
      Int32(dimension), &rhs, 1)
    return info == 0
  }
}
