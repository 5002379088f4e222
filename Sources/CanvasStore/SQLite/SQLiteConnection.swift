import CSQLite3
import Foundation

/// One SQLite connection. Not thread-safe: its owner serialises every use behind a lock.
final class SQLiteConnection: SQLTextExecuting {
  let handle: OpaquePointer
  private var statements: [String: SQLiteStatement] = [:]

  /// Opens (creating if asked) the database at `path`.
  init(path: String, readOnly: Bool = false, create: Bool = true) throws(SQLiteError) {
    var flags = SQLITE_OPEN_NOMUTEX
    flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
    if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let error = SQLiteError(code: rc, connection: db, context: "cannot open \(path)")
      sqlite3_close_v2(db)
      throw error
    }
    handle = db
    sqlite3_extended_result_codes(db, 1)
    sqlite3_busy_timeout(db, 5_000)
  }

  deinit {
    statements.removeAll()
    sqlite3_close_v2(handle)
  }

  /// Runs one or more SQL statements that return no rows.
  func execute(_ sql: String) throws(SQLiteError) {
    var message: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &message)
    guard rc == SQLITE_OK else {
      let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
      sqlite3_free(message)
      throw SQLiteError(code: rc, message: text)
    }
  }

  /// A cached prepared statement for `sql`, reset and ready to bind.
  func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
    if let cached = statements[sql] {
      cached.reset()
      return cached
    }
    let prepared = try SQLiteStatement(connection: self, sql: sql)
    statements[sql] = prepared
    return prepared
  }

  /// Runs `body` with the cached statement for `sql` and resets it afterwards, so no
  /// half-read query keeps a read transaction (and a stale snapshot) open.
  func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
    let prepared = try statement(sql)
    defer { prepared.reset() }
    return try body(prepared)
  }

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  var changes: Int { Int(sqlite3_changes(handle)) }

  /// SQLite takes the write lock at BEGIN IMMEDIATE, so a transaction never fails to upgrade.
  var beginTransaction: String { "BEGIN IMMEDIATE" }
}
