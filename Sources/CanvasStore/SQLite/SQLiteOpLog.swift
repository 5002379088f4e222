import Canvas

/// The op log in one SQLite file: `OpLogConnection` on a `SQLiteConnection`.
///
/// op_key = doc_key << 40 | seq is the ops table's rowid, so range reads walk the rowid
/// B-tree (see Schema/sqlite/0001_op_log.sql).
final class SQLiteOpLog: OpLogConnection {
  let db: SQLiteConnection
  /// Runs WAL checkpoints for the writer; nil on the reader.
  let checkpointer: BackgroundCheckpointer?

  init(_ db: SQLiteConnection, checkpointer: BackgroundCheckpointer? = nil) {
    self.db = db
    self.checkpointer = checkpointer
  }

  /// 32 rows per multi-row INSERT cost SQLite far less per row than one statement each.
  var rowsPerInsert: Int { 32 }

  func transaction<T>(_ body: () throws -> T) throws -> T {
    try db.transaction(body)
  }

  func documentHead(_ id: DocumentID) throws -> (key: Int64, head: Int64)? {
    try db.withStatement("SELECT doc_key, head_seq FROM documents WHERE id = ?") {
      $0.bind(1, id.rawValue)
      return try $0.step() ? ($0.int64(0), $0.int64(1)) : nil
    }
  }

  func insertDocument(_ info: DocumentInfo) throws {
    if try documentHead(info.id) != nil { throw StoreError.documentExists(info.id) }
    try db.withStatement(
      "INSERT INTO documents(id, title, encoder, decoder, created_at) VALUES (?, ?, ?, ?, ?)"
    ) {
      $0.bind(1, info.id.rawValue)
      $0.bind(2, info.title)
      $0.bind(3, info.encoder)
      $0.bind(4, info.decoder)
      $0.bind(5, info.createdAt)
      try $0.run()
    }
  }

  func documentInfo(_ id: DocumentID) throws -> DocumentInfo? {
    try db.withStatement(DocumentInfo.selectColumns + " WHERE id = ?") {
      $0.bind(1, id.rawValue)
      return try $0.step() ? Self.documentInfo($0) : nil
    }
  }

  func allDocuments() throws -> [DocumentInfo] {
    try db.withStatement(DocumentInfo.selectColumns + " ORDER BY id") {
      var result: [DocumentInfo] = []
      while try $0.step() { result.append(Self.documentInfo($0)) }
      return result
    }
  }

  private static func documentInfo(_ row: SQLiteStatement) -> DocumentInfo {
    DocumentInfo(
      id: DocumentID(row.string(0)), title: row.string(1), encoder: row.string(2),
      decoder: row.string(3), createdAt: row.int64(4), headSeq: row.int64(5),
      maxLamport: UInt64(bitPattern: row.int64(6)))
  }

  func latestSnapshot(docKey: Int64, atOrBefore seq: Int64) throws
    -> (seq: Int64, state: DocumentState, bytes: Int)?
  {
    try db.withStatement(
      "SELECT seq, state FROM snapshots WHERE doc_key = ? AND seq <= ? ORDER BY seq DESC LIMIT 1"
    ) { query in
      query.bind(1, docKey)
      query.bind(2, seq)
      guard try query.step() else { return nil }
      return try query.withBlob(1) { blob in
        (query.int64(0), try SnapshotCodec.decode(blob), blob.count)
      }
    }
  }

  func forEachOp(
    docKey: Int64, from: Int64, through: Int64, limit: Int, _ body: (SequencedOp) throws -> Void
  ) throws {
    guard from <= through, limit > 0 else { return }
    try db.withStatement(
      """
      SELECT seq, lamport, replica, actor, kind, payload, at_ms FROM ops
      WHERE op_key BETWEEN ? AND ? ORDER BY op_key LIMIT ?
      """
    ) { query in
      query.bind(1, OpKey.make(doc: docKey, seq: max(from, 0)))
      query.bind(2, OpKey.make(doc: docKey, seq: min(through, OpKey.maxSeq)))
      query.bind(3, Int64(limit))
      while try query.step() {
        let entry = try query.withBlob(5) { blob throws(StoreError) in
          try SequencedOp.decode(
            seq: query.int64(0), lamport: query.int64(1), replica: query.string(2),
            actor: query.string(3), kind: query.string(4), payload: blob,
            at: query.isNull(6) ? nil : query.int64(6))
        }
        try body(entry)
      }
    }
  }

  func logBytes(docKey: Int64, after seq: Int64) throws -> Int64 {
    try db.withStatement(
      """
      SELECT COALESCE(SUM(length(payload) + length(CAST(replica AS BLOB))
        + length(CAST(actor AS BLOB)) + length(kind) + 24), 0)
      FROM ops WHERE op_key BETWEEN ? AND ?
      """
    ) {
      $0.bind(1, OpKey.make(doc: docKey, seq: seq + 1))
      $0.bind(2, OpKey.make(doc: docKey, seq: OpKey.maxSeq))
      _ = try $0.step()
      return $0.int64(0)
    }
  }

  func replicaClocks(docKey: Int64) throws -> [ReplicaID: UInt64] {
    try db.withStatement("SELECT replica, lamport FROM replica_clocks WHERE doc_key = ?") {
      $0.bind(1, docKey)
      var clocks: [ReplicaID: UInt64] = [:]
      while try $0.step() { clocks[ReplicaID($0.string(0))] = UInt64(bitPattern: $0.int64(1)) }
      return clocks
    }
  }

  func seq(of id: OpID, docKey: Int64) throws -> Int64? {
    try db.withStatement("SELECT seq FROM ops WHERE doc_key = ? AND lamport = ? AND replica = ?") {
      $0.bind(1, docKey)
      $0.bind(2, Int64(bitPattern: id.lamport))
      $0.bind(3, id.replica.rawValue)
      return try $0.step() ? $0.int64(0) : nil
    }
  }

  func storageStats(docKey: Int64) throws -> StorageStats {
    let ops = try db.withStatement("SELECT COUNT(*) FROM ops WHERE op_key BETWEEN ? AND ?") {
      $0.bind(1, OpKey.make(doc: docKey, seq: 0))
      $0.bind(2, OpKey.make(doc: docKey, seq: OpKey.maxSeq))
      _ = try $0.step()
      return $0.int64(0)
    }
    let snapshots = try db.withStatement(
      "SELECT COUNT(*), COALESCE(SUM(length(state)), 0) FROM snapshots WHERE doc_key = ?"
    ) { query in
      query.bind(1, docKey)
      _ = try query.step()
      return (query.int64(0), query.int64(1))
    }
    return StorageStats(
      opCount: ops, opBytes: try logBytes(docKey: docKey, after: -1),
      snapshotCount: snapshots.0, snapshotBytes: snapshots.1)
  }

  func mayAppend(to document: DocumentID) throws -> AppendPermission { .allowed }

  func insertOps(_ rows: ArraySlice<OpRow>, at: Int64) throws {
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
  }

  func saveHead(
    docKey: Int64, headSeq: Int64, maxLamport: UInt64, clocks: [(ReplicaID, UInt64)]
  ) throws {
    try db.withStatement("UPDATE documents SET head_seq = ?, max_lamport = ? WHERE doc_key = ?") {
      $0.bind(1, headSeq)
      $0.bind(2, Int64(bitPattern: maxLamport))
      $0.bind(3, docKey)
      try $0.run()
    }
    for (replica, lamport) in clocks {
      try db.withStatement(
        "INSERT OR REPLACE INTO replica_clocks(doc_key, replica, lamport) VALUES (?, ?, ?)"
      ) {
        $0.bind(1, docKey)
        $0.bind(2, replica.rawValue)
        $0.bind(3, Int64(bitPattern: lamport))
        try $0.run()
      }
    }
  }

  func saveSnapshot(docKey: Int64, seq: Int64, state: [UInt8]) throws {
    try db.withStatement("INSERT OR REPLACE INTO snapshots(doc_key, seq, state) VALUES (?, ?, ?)") {
      $0.bind(1, docKey)
      $0.bind(2, seq)
      $0.bind(3, state)
      try $0.run()
    }
  }

  func committed(bytes: Int) {
    checkpointer?.noteWritten(bytes: bytes)
  }
}

extension DocumentInfo {
  /// The documents table's columns in `DocumentInfo` order (both backends name them alike).
  static let selectColumns =
    "SELECT id, title, encoder, decoder, created_at, head_seq, max_lamport FROM documents"
}
