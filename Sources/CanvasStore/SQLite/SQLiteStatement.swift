import CSQLite3
import Foundation

/// A prepared statement. Bind indices start at 1, column indices at 0, as in SQLite.
final class SQLiteStatement {
  private let handle: OpaquePointer
  private unowned let connection: SQLiteConnection

  init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
    var statement: OpaquePointer?
    let rc = sqlite3_prepare_v3(
      connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard rc == SQLITE_OK, let statement else {
      throw SQLiteError(code: rc, connection: connection.handle, context: "prepare \(sql)")
    }
    self.handle = statement
    self.connection = connection
  }

  deinit { sqlite3_finalize(handle) }

  /// Makes the statement ready to run again. Bindings are kept: every caller binds every
  /// parameter before each run.
  func reset() {
    sqlite3_reset(handle)
  }

  func bind(_ index: Int32, _ value: Int64) {
    sqlite3_bind_int64(handle, index, value)
  }

  func bind(_ index: Int32, _ value: String) {
    var text = value
    text.withUTF8 { bytes in
      _ = bytes.withMemoryRebound(to: CChar.self) {
        sqlite3_bind_text(
          handle, index, $0.baseAddress, Int32($0.count), latitude_sqlite_transient())
      }
    }
  }

  func bind(_ index: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
      _ = sqlite3_bind_blob(
        handle, index, buffer.baseAddress, Int32(buffer.count), latitude_sqlite_transient())
    }
  }

  /// Steps once; true when a row is available.
  func step() throws(SQLiteError) -> Bool {
    let rc = sqlite3_step(handle)
    switch rc {
    case SQLITE_ROW: return true
    case SQLITE_DONE: return false
    default:
      throw SQLiteError(code: rc, connection: connection.handle, context: "step")
    }
  }

  /// Steps a statement that returns no rows.
  func run() throws(SQLiteError) {
    _ = try step()
  }

  /// True when the column holds NULL.
  func isNull(_ column: Int32) -> Bool {
    sqlite3_column_type(handle, column) == SQLITE_NULL
  }

  func int64(_ column: Int32) -> Int64 {
    sqlite3_column_int64(handle, column)
  }

  func string(_ column: Int32) -> String {
    guard let text = sqlite3_column_text(handle, column) else { return "" }
    return String(cString: text)
  }

  /// Calls `body` with the column's bytes, valid only during the call.
  func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    let count = Int(sqlite3_column_bytes(handle, column))
    let base = sqlite3_column_blob(handle, column)
    return try body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
  }
}
