import CLapacke
import CLibWebSockets
import COpenBLAS
import CSQLite3
import Testing

/// Calls into each system library, so a missing or broken install fails loudly here.
@Suite struct NativeLibrarySmokeTests {
  @Test func libwebsockets() throws {
    let version = String(cString: try #require(lws_get_library_version()))
    #expect(version.hasPrefix("4."), "libwebsockets \(version)")
    #expect(latitude_lws_pre >= 16)
  }

  @Test func openBLASMultiplies() {
    // [1 2; 3 4] × [5 6; 7 8] = [19 22; 43 50]
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
    #expect(c == [19, 22, 43, 50])
  }

  @Test func lapackeFindsEigenvalues() {
    // The symmetric matrix [2 1; 1 2] has eigenvalues 1 and 3.
    var matrix: [Float] = [2, 1, 1, 2]
    var eigenvalues = [Float](repeating: 0, count: 2)
    let info = LAPACKE_ssyev(
      LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), 2, &matrix, 2,
      &eigenvalues)
    #expect(info == 0)
    #expect(abs(eigenvalues[0] - 1) < 1e-5)
    #expect(abs(eigenvalues[1] - 3) < 1e-5)
  }

  @Test func sqliteRunsAQuery() {
    #expect(sqlite3_libversion_number() >= 3_035_000)
    var db: OpaquePointer?
    #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
    defer { sqlite3_close(db) }
    var statement: OpaquePointer?
    #expect(sqlite3_prepare_v2(db, "SELECT 6 * 7", -1, &statement, nil) == SQLITE_OK)
    defer { sqlite3_finalize(statement) }
    #expect(sqlite3_step(statement) == SQLITE_ROW)
    #expect(sqlite3_column_int(statement, 0) == 42)
  }
}
