import CSQLite3

/// A failure reported by SQLite, converted once at the C boundary.
public struct SQLiteError: Error, Hashable, Sendable, CustomStringConvertible {
  /// SQLite's (extended) result code.
  public var code: Int32
  /// SQLite's message, plus what we were doing.
  public var message: String

  init(code: Int32, message: String) {
    self.code = code
    self.message = message
  }

  init(code: Int32, connection: OpaquePointer?, context: String) {
    let detail = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
    self.code = code
    self.message = "\(context): \(detail ?? String(cString: sqlite3_errstr(code)))"
  }

  public var description: String { "SQLite error \(code): \(message)" }
}
