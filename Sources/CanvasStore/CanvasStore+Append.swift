import Canvas

/// What the writer keeps per open document: enough to assign seqs, check references,
/// spot duplicates and decide on snapshots without reading the log back.
struct WriterDocument {
  var key: Int64
  var headSeq: Int64
  var state: DocumentState
  var opsSinceSnapshot: Int
  var bytesSinceSnapshot: Int
  /// Size of the last snapshot written or attempted: the estimate for the next one.
  var lastSnapshotBytes: Int
  /// A snapshot of this document is being encoded in the background.
  var snapshotInFlight = false
  /// Largest committed lamport per replica (mirrors the replica_clocks table).
  var replicaClocks: [ReplicaID: UInt64]
  /// Replicas whose clock moved in the current transaction.
  var dirtyReplicas: Set<ReplicaID> = []
}

extension CanvasStore {
  /// Appends ops to one document in one transaction.
  /// - Returns: one outcome per op, in order. Committed ops are durable when this returns.
  /// - Throws: `StoreError.unknownDocument`, or another `StoreError` when the transaction
  ///   fails; then nothing of it was written.
  public func append(_ ops: [Op], to document: DocumentID, mode: AppendMode = .live)
    throws(StoreError) -> [AppendOutcome]
  {
    let outcomes = try append([
      AppendRequest(document: document, ops: ops, mode: mode, limits: configuration.limits)
    ])[0]
    if case .rejected(.unknownDocument)? = outcomes.first { throw .unknownDocument(document) }
    return outcomes
  }

  /// Appends several requests in one transaction: the group commit.
  /// - Returns: the outcomes of each request's ops, in order. A request for an unknown
  ///   document has its ops rejected; the other requests are unaffected.
  /// - Throws: `StoreError` when the transaction fails. Then nothing was written, every
  ///   request must be refused, and the writer reloads the documents from the store.
  public func append(_ requests: [AppendRequest]) throws(StoreError) -> [[AppendOutcome]] {
    try write { db in
      do {
        let written = try db.transaction {
          try writeReadySnapshots(db)
          return try appendLocked(requests, db)
        }
        scheduleSnapshots(written.touched)
        db.committed(bytes: written.bytes)
        return written.outcomes
      } catch {
        for request in requests { writerDocuments[request.document] = nil }
        logger.error("group commit failed; documents will reload", metadata: ["error": "\(error)"])
        throw error
      }
    }
  }

  /// Appends inside the caller's transaction. Caller holds `writeLock`.
  /// - Returns: each request's outcomes, the documents written and the op bytes written.
  func appendLocked(_ requests: [AppendRequest], _ db: any OpLogConnection) throws
    -> (outcomes: [[AppendOutcome]], touched: Set<DocumentID>, bytes: Int)
  {
    var touched: Set<DocumentID> = []
    var results: [[AppendOutcome]] = []
    results.reserveCapacity(requests.count)
    var buffer = OpRowBuffer()
    // The document being written, taken out of the cache while mutated (so its state is
    // not copied on write) and kept out across consecutive requests for it.
    var open: (id: DocumentID, doc: WriterDocument)?
    for original in requests {
      let request = original.prepared(for: configuration.limits)
      if open?.id != request.document {
        if let parked = open { writerDocuments[parked.id] = parked.doc }
        open = nil
        switch try db.mayAppend(to: request.document) {
        case .allowed: break
        case .allowedNewTenure: writerDocuments[request.document] = nil
        case .fenced:
          // Another node owns the document now; what this one cached is stale.
          writerDocuments[request.document] = nil
          results.append(request.ops.map { _ in .rejected(.notOwner(request.document)) })
          continue
        }
        guard
          let doc = try writerDocuments.removeValue(forKey: request.document)
            ?? writerDocument(request.document, db)
        else {
          results.append(request.ops.map { _ in .rejected(.unknownDocument(request.document)) })
          continue
        }
        open = (request.document, doc)
        touched.insert(request.document)
      }
      var outcomes: [AppendOutcome] = []
      outcomes.reserveCapacity(request.ops.count)
      for (op, prepared) in zip(request.ops, request.prepared) {
        if request.gatedOnFirst, let first = outcomes.first, case .committed = first {
        } else if request.gatedOnFirst, !outcomes.isEmpty {
          outcomes.append(.rejected(.firstNotCommitted))
          continue
        }
        outcomes.append(
          try appendOne(op, prepared, mode: request.mode, to: &open!.doc, buffer: &buffer, db))
      }
      results.append(outcomes)
    }
    if let parked = open { writerDocuments[parked.id] = parked.doc }
    try buffer.flush(db)
    for id in touched {
      guard var doc = writerDocuments.removeValue(forKey: id) else { continue }
      try saveHead(&doc, db)
      writerDocuments[id] = doc
    }
    return (results, touched, buffer.bytesWritten)
  }

  private func appendOne(
    _ op: Op, _ prepared: AppendRequest.Prepared, mode: AppendMode,
    to doc: inout WriterDocument, buffer: inout OpRowBuffer, _ db: any OpLogConnection
  ) throws -> AppendOutcome {
    let payload: [UInt8]
    switch prepared {
    case .invalid(let error): return .rejected(.invalid(error))
    case .encoded(let bytes): payload = bytes
    }
    do {
      try validator.checkLamport(op.id, documentLamport: doc.state.maxLamport)
    } catch {
      return .rejected(.invalid(error))
    }
    // Replica lamports strictly increase, so only an op at or below its replica's clock
    // can be a re-delivery; only those pay for a lookup.
    let clock = doc.replicaClocks[op.id.replica] ?? 0
    if op.id.lamport <= clock {
      try buffer.flush(db)
      if let existing = try db.seq(of: op.id, docKey: doc.key) { return .duplicate(seq: existing) }
    }
    if mode == .live, let rejection = ReferenceCheck.check(op.payload, against: doc.state) {
      return .rejected(rejection)
    }
    let seq = doc.headSeq + 1
    try buffer.add(
      OpRow(
        doc: doc.key, seq: seq, lamport: Int64(bitPattern: op.id.lamport),
        replica: op.id.replica.rawValue, actor: op.actor, kind: op.kind.rawValue,
        payload: payload), db)
    doc.headSeq = seq
    if op.id.lamport > clock {
      doc.replicaClocks[op.id.replica] = op.id.lamport
      doc.dirtyReplicas.insert(op.id.replica)
    }
    doc.state.apply(op)
    doc.opsSinceSnapshot += 1
    doc.bytesSinceSnapshot += Self.storedSize(payloadBytes: payload.count, op: op)
    return .committed(seq: seq)
  }

  /// Writes the head seq, max lamport and moved replica clocks.
  private func saveHead(_ doc: inout WriterDocument, _ db: any OpLogConnection) throws {
    try db.saveHead(
      docKey: doc.key, headSeq: doc.headSeq, maxLamport: doc.state.maxLamport,
      clocks: doc.dirtyReplicas.map { ($0, doc.replicaClocks[$0] ?? 0) })
    doc.dirtyReplicas.removeAll()
  }

  /// The bytes an op takes in the log, counting its columns, for the snapshot budget.
  static func storedSize(payloadBytes: Int, op: Op) -> Int {
    payloadBytes + op.id.replica.rawValue.utf8.count + op.actor.utf8.count
      + op.kind.rawValue.utf8.count + 24
  }
}
