import Canvas

/// What the writer keeps per open document: enough to assign seqs, check references and
/// decide on snapshots without reading the log back.
struct WriterDocument {
  var key: Int64
  var headSeq: Int64
  var state: DocumentState
  var opsSinceSnapshot: Int
  var bytesSinceSnapshot: Int
  /// Size of the last snapshot written or attempted: the estimate for the next one.
  var lastSnapshotBytes: Int
}

extension CanvasStore {
  /// Appends ops to one document in one transaction.
  /// - Returns: one outcome per op, in order. Committed ops are durable when this returns.
  /// - Throws: `StoreError` when the transaction fails; then nothing of it was written.
  public func append(_ ops: [Op], to document: DocumentID, mode: AppendMode = .live)
    throws(StoreError) -> [AppendOutcome]
  {
    try append([AppendRequest(document: document, ops: ops, mode: mode)])[0]
  }

  /// Appends several requests in one transaction: the group commit.
  /// - Returns: the outcomes of each request's ops, in order.
  /// - Throws: `StoreError` when the transaction fails. Then nothing was written, every
  ///   request must be refused, and the writer reloads the documents from the store.
  public func append(_ requests: [AppendRequest]) throws(StoreError) -> [[AppendOutcome]] {
    try write { db in
      do {
        return try db.transaction { try appendLocked(requests, db) }
      } catch {
        for request in requests { writerDocuments[request.document] = nil }
        logger.error("group commit failed; documents will reload", metadata: ["error": "\(error)"])
        throw error
      }
    }
  }

  /// Appends inside the caller's transaction. Caller holds `writeLock`.
  func appendLocked(_ requests: [AppendRequest], _ db: SQLiteConnection) throws
    -> [[AppendOutcome]]
  {
    var touched: Set<DocumentID> = []
    var results: [[AppendOutcome]] = []
    results.reserveCapacity(requests.count)
    for request in requests {
      var doc = try writerDocument(request.document, db)
      var outcomes: [AppendOutcome] = []
      outcomes.reserveCapacity(request.ops.count)
      for op in request.ops {
        outcomes.append(try appendOne(op, mode: request.mode, to: &doc, db))
      }
      writerDocuments[request.document] = doc
      touched.insert(request.document)
      results.append(outcomes)
    }
    for id in touched {
      guard var doc = writerDocuments[id] else { continue }
      let head = try db.statement(
        "UPDATE documents SET head_seq = ?, max_lamport = ? WHERE doc_key = ?")
      defer { head.reset() }
      head.bind(1, doc.headSeq)
      head.bind(2, Int64(bitPattern: doc.state.maxLamport))
      head.bind(3, doc.key)
      try head.run()
      try snapshotIfDue(&doc, db)
      writerDocuments[id] = doc
    }
    return results
  }

  private func appendOne(_ op: Op, mode: AppendMode, to doc: inout WriterDocument, _ db: SQLiteConnection)
    throws -> AppendOutcome
  {
    do {
      try validator.validate(op, documentLamport: doc.state.maxLamport)
    } catch {
      return .rejected(.invalid(error))
    }
    if mode == .live, let rejection = ReferenceCheck.check(op.payload, against: doc.state) {
      // A re-delivered op (say, a create) fails the check only because it already landed.
      if let existing = try seq(of: op.id, in: doc.key, db) { return .duplicate(seq: existing) }
      return .rejected(rejection)
    }
    let payload = OpCodec.encode(op.payload)
    let insert = try db.statement(
      """
      INSERT INTO ops(doc_key, seq, lamport, replica, actor, kind, payload)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(doc_key, lamport, replica) DO NOTHING
      """)
    defer { insert.reset() }
    let seq = doc.headSeq + 1
    insert.bind(1, doc.key)
    insert.bind(2, seq)
    insert.bind(3, Int64(bitPattern: op.id.lamport))
    insert.bind(4, op.id.replica.rawValue)
    insert.bind(5, op.actor)
    insert.bind(6, op.kind.rawValue)
    insert.bind(7, payload)
    try insert.run()
    if db.changes == 0, let existing = try self.seq(of: op.id, in: doc.key, db) {
      return .duplicate(seq: existing)
    }
    doc.headSeq = seq
    doc.state.apply(op)
    doc.opsSinceSnapshot += 1
    doc.bytesSinceSnapshot += Self.storedSize(payloadBytes: payload.count, op: op)
    return .committed(seq: seq)
  }

  private func seq(of id: OpID, in docKey: Int64, _ db: SQLiteConnection) throws -> Int64? {
    let query = try db.statement(
      "SELECT seq FROM ops WHERE doc_key = ? AND lamport = ? AND replica = ?")
    defer { query.reset() }
    query.bind(1, docKey)
    query.bind(2, Int64(bitPattern: id.lamport))
    query.bind(3, id.replica.rawValue)
    return try query.step() ? query.int64(0) : nil
  }

  /// The bytes an op takes in the log, counting its columns, for the snapshot budget.
  static func storedSize(payloadBytes: Int, op: Op) -> Int {
    payloadBytes + op.id.replica.rawValue.utf8.count + op.actor.utf8.count
      + op.kind.rawValue.utf8.count + 24
  }
}
