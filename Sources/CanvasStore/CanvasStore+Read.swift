import Canvas

extension CanvasStore {
  /// Up to `limit` committed ops with seq ≥ `from`, in seq order.
  /// - Throws: `StoreError.unknownDocument` for an unknown id.
  public func ops(_ document: DocumentID, from: Int64, limit: Int) throws(StoreError)
    -> [SequencedOp]
  {
    try read { db in
      let key = try documentKey(document, db)
      var result: [SequencedOp] = []
      try forEachOp(docKey: key, from: max(from, 1), through: .max, limit: limit, db) {
        result.append($0)
      }
      return result
    }
  }

  /// Calls `body` for each committed op with seq in `from...through`, streaming from SQLite
  /// without loading the range into memory.
  public func forEachOp(
    _ document: DocumentID, from: Int64, through: Int64,
    _ body: (SequencedOp) throws -> Void
  ) throws(StoreError) {
    try read { db in
      let key = try documentKey(document, db)
      try forEachOp(docKey: key, from: from, through: through, db, body)
    }
  }

  /// The document's state after folding ops 1...seq. Starts from the nearest snapshot.
  /// - Throws: `StoreError.seqOutOfRange` when `seq` is negative or past the head;
  ///   `StoreError.unknownDocument` for an unknown id.
  public func state(_ document: DocumentID, atSeq seq: Int64) throws(StoreError)
    -> DocumentState
  {
    try read { db in
      let row = try db.statement("SELECT doc_key, head_seq FROM documents WHERE id = ?")
      defer { row.reset() }
      row.bind(1, document.rawValue)
      guard try row.step() else { throw StoreError.unknownDocument(document) }
      let key = row.int64(0)
      let head = row.int64(1)
      row.reset()
      guard (0...head).contains(seq) else { throw StoreError.seqOutOfRange(seq: seq, head: head) }
      return try loadState(docKey: key, atSeq: seq, db).0
    }
  }

  func documentKey(_ document: DocumentID, _ db: SQLiteConnection) throws -> Int64 {
    let row = try db.statement("SELECT doc_key FROM documents WHERE id = ?")
    defer { row.reset() }
    row.bind(1, document.rawValue)
    guard try row.step() else { throw StoreError.unknownDocument(document) }
    return row.int64(0)
  }

  func forEachOp(
    docKey: Int64, from: Int64, through: Int64, limit: Int = .max, _ db: SQLiteConnection,
    _ body: (SequencedOp) throws -> Void
  ) throws {
    guard from <= through, limit > 0 else { return }
    let query = try db.statement(
      """
      SELECT seq, lamport, replica, actor, kind, payload, at_ms FROM ops
      WHERE op_key BETWEEN ? AND ? ORDER BY op_key LIMIT ?
      """)
    defer { query.reset() }
    query.bind(1, OpKey.make(doc: docKey, seq: max(from, 0)))
    query.bind(2, OpKey.make(doc: docKey, seq: min(through, OpKey.maxSeq)))
    query.bind(3, Int64(limit))
    while try query.step() {
      let kindName = query.string(4)
      guard let kind = OpKind(rawValue: kindName) else {
        throw StoreError.corrupt("unknown op kind '\(kindName)' at seq \(query.int64(0))")
      }
      let payload = try query.withBlob(5) { blob throws(StoreError) in
        try OpCodec.decode(kind, blob)
      }
      let op = Op(
        id: OpID(lamport: UInt64(bitPattern: query.int64(1)), replica: ReplicaID(query.string(2))),
        actor: query.string(3), payload: payload)
      try body(
        SequencedOp(seq: query.int64(0), op: op, at: query.isNull(6) ? nil : query.int64(6)))
    }
  }
}
