import Canvas

extension CanvasStore {
  /// The writer's state for a document, loading it (snapshot plus tail) on first use.
  /// Caller holds `writeLock`.
  /// - Returns: nil when there is no such document.
  func writerDocument(_ id: DocumentID, _ db: SQLiteConnection) throws -> WriterDocument? {
    if let cached = writerDocuments[id] { return cached }
    let row = try db.statement("SELECT doc_key, head_seq FROM documents WHERE id = ?")
    defer { row.reset() }
    row.bind(1, id.rawValue)
    guard try row.step() else { return nil }
    let key = row.int64(0)
    let head = row.int64(1)
    row.reset()
    let (state, snapshotSeq, snapshotBytes) = try loadState(docKey: key, atSeq: head, db)
    let tail = try db.statement(
      """
      SELECT COALESCE(SUM(length(payload) + length(replica) + length(actor) + length(kind) + 24), 0)
      FROM ops WHERE op_key BETWEEN ? AND ?
      """)
    defer { tail.reset() }
    tail.bind(1, OpKey.make(doc: key, seq: snapshotSeq + 1))
    tail.bind(2, OpKey.make(doc: key, seq: OpKey.maxSeq))
    _ = try tail.step()
    let tailBytes = Int(tail.int64(0))
    logger.debug(
      "loaded document for writing",
      metadata: ["doc": "\(id)", "head": "\(head)", "snapshot": "\(snapshotSeq)"])
    let clocks = try db.withStatement(
      "SELECT replica, lamport FROM replica_clocks WHERE doc_key = ?"
    ) { query in
      query.bind(1, key)
      var clocks: [ReplicaID: UInt64] = [:]
      while try query.step() {
        clocks[ReplicaID(query.string(0))] = UInt64(bitPattern: query.int64(1))
      }
      return clocks
    }
    return WriterDocument(
      key: key, headSeq: head, state: state, opsSinceSnapshot: Int(head - snapshotSeq),
      bytesSinceSnapshot: tailBytes, lastSnapshotBytes: snapshotBytes, replicaClocks: clocks)
  }

  /// Folded state at `seq`: the nearest snapshot at or before it, plus the ops after it.
  /// - Returns: the state, the snapshot's seq (0 if none) and its size in bytes.
  func loadState(docKey: Int64, atSeq seq: Int64, _ db: SQLiteConnection) throws
    -> (DocumentState, Int64, Int)
  {
    let snapshot = try db.statement(
      "SELECT seq, state FROM snapshots WHERE doc_key = ? AND seq <= ? ORDER BY seq DESC LIMIT 1")
    defer { snapshot.reset() }
    snapshot.bind(1, docKey)
    snapshot.bind(2, seq)
    var state = DocumentState()
    var base: Int64 = 0
    var bytes = 0
    if try snapshot.step() {
      base = snapshot.int64(0)
      state = try snapshot.withBlob(1) { blob in
        bytes = blob.count
        return try SnapshotCodec.decode(blob)
      }
    }
    snapshot.reset()
    try forEachOp(docKey: docKey, from: base + 1, through: seq, db) { state.apply($0.op) }
    return (state, base, bytes)
  }
}
