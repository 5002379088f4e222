import Canvas

extension CanvasStore {
  /// The writer's state for a document, loading it (snapshot plus tail) on first use.
  /// Caller holds `writeLock`.
  /// - Returns: nil when there is no such document.
  func writerDocument(_ id: DocumentID, _ db: any OpLogConnection) throws -> WriterDocument? {
    if let cached = writerDocuments[id] { return cached }
    guard let (key, head) = try db.documentHead(id) else { return nil }
    let (state, snapshotSeq, snapshotBytes) = try loadState(docKey: key, atSeq: head, db)
    let tailBytes = Int(try db.logBytes(docKey: key, after: snapshotSeq))
    logger.debug(
      "loaded document for writing",
      metadata: ["doc": "\(id)", "head": "\(head)", "snapshot": "\(snapshotSeq)"])
    return WriterDocument(
      key: key, headSeq: head, state: state, opsSinceSnapshot: Int(head - snapshotSeq),
      bytesSinceSnapshot: tailBytes, lastSnapshotBytes: snapshotBytes,
      replicaClocks: try db.replicaClocks(docKey: key))
  }

  /// Folded state at `seq`: the nearest snapshot at or before it, plus the ops after it.
  /// - Returns: the state, the snapshot's seq (0 if none) and its size in bytes.
  func loadState(docKey: Int64, atSeq seq: Int64, _ db: any OpLogConnection) throws
    -> (DocumentState, Int64, Int)
  {
    var state = DocumentState()
    var base: Int64 = 0
    var bytes = 0
    if let snapshot = try db.latestSnapshot(docKey: docKey, atOrBefore: seq) {
      (base, state, bytes) = snapshot
    }
    try forEachOp(docKey: docKey, from: base + 1, through: seq, db) { state.apply($0.op) }
    return (state, base, bytes)
  }
}
