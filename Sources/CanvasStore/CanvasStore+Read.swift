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
      guard let (key, head) = try db.documentHead(document) else {
        throw StoreError.unknownDocument(document)
      }
      guard (0...head).contains(seq) else { throw StoreError.seqOutOfRange(seq: seq, head: head) }
      return try loadState(docKey: key, atSeq: seq, db).0
    }
  }

  func documentKey(_ document: DocumentID, _ db: any OpLogConnection) throws -> Int64 {
    guard let (key, _) = try db.documentHead(document) else {
      throw StoreError.unknownDocument(document)
    }
    return key
  }

  func forEachOp(
    docKey: Int64, from: Int64, through: Int64, limit: Int = .max, _ db: any OpLogConnection,
    _ body: (SequencedOp) throws -> Void
  ) throws {
    try db.forEachOp(docKey: docKey, from: from, through: through, limit: limit, body)
  }
}
