import Foundation

/// One row of the ops table, ready to bind.
struct OpRow {
  var doc: Int64
  var seq: Int64
  var lamport: Int64
  var replica: String
  var actor: String
  var kind: String
  var payload: [UInt8]
}

/// Collects op rows and writes them in multi-row INSERTs of the connection's preferred
/// size, which costs the database far less per row than one statement per row. Rows are
/// written by `flush()` at the latest; the caller flushes before any query that must see them.
struct OpRowBuffer {
  private(set) var rows: [OpRow] = []
  /// Payload bytes written so far.
  private(set) var bytesWritten = 0

  /// When the rows are committed (unix milliseconds), written with each.
  let at: Int64

  /// A buffer for one commit at `at` (default: now).
  init(at: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
    self.at = at
  }

  mutating func add(_ row: OpRow, _ db: any OpLogConnection) throws {
    rows.append(row)
    if rows.count >= db.rowsPerInsert { try flush(db) }
  }

  mutating func flush(_ db: any OpLogConnection) throws {
    guard !rows.isEmpty else { return }
    var start = 0
    while start < rows.count {
      let end = min(start + db.rowsPerInsert, rows.count)
      try db.insertOps(rows[start..<end], at: at)
      start = end
    }
    bytesWritten += rows.reduce(0) { $0 + $1.payload.count }
    rows.removeAll(keepingCapacity: true)
  }
}
