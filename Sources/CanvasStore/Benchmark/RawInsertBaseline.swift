import Canvas

/// The reference for `latitude bench oplog`: the same rows the store writes, inserted with
/// bare batched SQLite INSERTs on a prepared statement: no validation, no fold, no seq
/// bookkeeping, no snapshots. Payloads are encoded ahead of time, outside the timing.
public final class RawInsertBaseline {
  /// A pre-encoded op row.
  public struct Row: Sendable {
    var lamport: Int64
    var replica: String
    var actor: String
    var kind: String
    var payload: [UInt8]
  }

  private let connection: SQLiteConnection
  private let docKey: Int64
  private var nextSeq: Int64 = 1

  /// Opens a fresh database at `path` with the op-log schema and one empty document,
  /// using the same durability as `configuration`.
  public init(path: String, configuration: StoreConfiguration) throws(StoreError) {
    connection = try StoreError.wrap {
      let db = try SQLiteConnection(path: path)
      try db.configureForOpLog(configuration.durability)
      try db.migrate()
      try db.execute(
        "INSERT INTO documents(id, title, encoder, decoder, created_at) VALUES ('raw', 'raw', '', '', 0)"
      )
      return db
    }
    docKey = 1
  }

  /// Encodes ops into rows (not part of the measurement).
  public static func rows(_ ops: [Op]) -> [Row] {
    ops.map {
      Row(
        lamport: Int64(bitPattern: $0.id.lamport), replica: $0.id.replica.rawValue,
        actor: $0.actor, kind: $0.kind.rawValue, payload: OpCodec.encode($0.payload))
    }
  }

  /// Inserts rows in transactions of `batchSize`.
  public func insert(_ rows: [Row], batchSize: Int) throws(StoreError) {
    try StoreError.wrap {
      var start = 0
      while start < rows.count {
        let end = min(start + batchSize, rows.count)
        try connection.transaction {
          try connection.withStatement(
            """
            INSERT INTO ops(op_key, doc_key, seq, lamport, replica, actor, kind, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
          ) { insert in
            for row in rows[start..<end] {
              insert.bind(1, OpKey.make(doc: docKey, seq: nextSeq))
              insert.bind(2, docKey)
              insert.bind(3, nextSeq)
              insert.bind(4, row.lamport)
              insert.bind(5, row.replica)
              insert.bind(6, row.actor)
              insert.bind(7, row.kind)
              insert.bind(8, row.payload)
              try insert.run()
              insert.reset()
              nextSeq += 1
            }
          }
        }
        start = end
      }
    }
  }
}
