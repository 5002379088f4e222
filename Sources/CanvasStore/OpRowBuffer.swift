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

/// Collects op rows and writes them with multi-row INSERTs of up to 32 rows, which costs
/// SQLite far less per row than one statement per row. Rows are written by `flush()` at the
/// latest; the caller flushes before any query that must see them.
struct OpRowBuffer {
  static let rowsPerStatement = 32
  private(set) var rows: [OpRow] = []
  /// Payload bytes written so far.
  private(set) var bytesWritten = 0

  /// When the rows are committed (unix milliseconds), written with each.
  let at: Int64

  /// A buffer for one commit at `at` (default: now).
  init(at: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
    self.at = at
    rows.reserveCapacity(Self.rowsPerStatement)
  }

  mutating func add(_ row: OpRow, _ db: SQLiteConnection) throws {
    rows.append(row)
    if rows.count == Self.rowsPerStatement { try flush(db) }
  }

  mutating func flush(_ db: SQLiteConnection) throws {
    guard !rows.isEmpty else { return }
    let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count)
    let sql =
      "INSERT INTO ops(op_key, doc_key, seq, lamport, replica, actor, kind, payload, at_ms) VALUES "
      + placeholders.joined(separator: ", ")
    try db.withStatement(sql) { insert in
      for (index, row) in rows.enumerated() {
        let base = Int32(index * 9)
        insert.bind(base + 1, OpKey.make(doc: row.doc, seq: row.seq))
        insert.bind(base + 2, row.doc)
        insert.bind(base + 3, row.seq)
        insert.bind(base + 4, row.lamport)
        insert.bind(base + 5, row.replica)
        insert.bind(base + 6, row.actor)
        insert.bind(base + 7, row.kind)
        insert.bind(base + 8, row.payload)
        insert.bind(base + 9, at)
      }
      try insert.run()
    }
    bytesWritten += rows.reduce(0) { $0 + $1.payload.count }
    rows.removeAll(keepingCapacity: true)
  }
}
