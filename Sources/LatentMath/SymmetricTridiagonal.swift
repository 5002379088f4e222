import CLapacke

/// Eigen-decomposition of a symmetric tridiagonal matrix through LAPACK (`dstev`): the small
/// dense step of a Lanczos eigensolver.
public enum SymmetricTridiagonal {
  /// Eigenvalues (ascending) and eigenvectors of the `m`×`m` matrix with `diagonal` (m values)
  /// and `offDiagonal` (m − 1 values). `vectors` is row-major m×m: column j is the unit
  /// eigenvector of `values[j]`.
  /// - Returns: nil for mismatched sizes or a LAPACK failure.
  public static func eigen(diagonal: [Double], offDiagonal: [Double]) -> (
    values: [Double], vectors: [Double]
  )? {
    let m = diagonal.count
    guard m > 0, offDiagonal.count == m - 1 else { return nil }
    var values = diagonal
    // dstev reads m − 1 off-diagonal values and uses the array as workspace; one spare slot
    // keeps a 1×1 call from passing an empty buffer.
    var work = offDiagonal + [0]
    var vectors = [Double](repeating: 0, count: m * m)
    let info = LAPACKE_dstev(
      LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), Int32(m), &values, &work, &vectors, Int32(m))
    return info == 0 ? (values, vectors) : nil
  }
}
