import COpenBLAS

/// The few BLAS calls the engine needs, on raw row-major buffers.
public enum BLAS {
  /// Makes OpenBLAS single-threaded. Concurrency comes from running independent jobs on
  /// separate threads; two BLAS threads per small multiply collapse on a loaded machine.
  public static func useOneThreadPerCall() {
    openblas_set_num_threads(1)
  }

  /// C = alpha · A · Bᵀ + beta · C, where A is m×k (lda), B is n×k (ldb), C is m×n (ldc).
  /// This is a PyTorch Linear layer when B is the weight matrix.
  @inlinable
  public static func gemmTransposedB(
    m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a,
      Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// C = alpha · A · B + beta · C, where A is m×k (lda), B is k×n (ldb), C is m×n (ldc).
  @inlinable
  public static func gemm(
    m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a,
      Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
