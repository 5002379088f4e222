import Canvas

/// How much space a document takes.
public struct StorageStats: Hashable, Sendable, Codable {
  /// Ops in the log.
  public var opCount: Int64
  /// Bytes of the op log (payloads plus their id, actor and kind columns).
  public var opBytes: Int64
  /// Snapshots stored.
  public var snapshotCount: Int64
  /// Bytes of snapshot state.
  public var snapshotBytes: Int64

  /// Snapshot bytes ÷ op-log bytes (0 for an empty log).
  public var snapshotRatio: Double {
    opBytes == 0 ? 0 : Double(snapshotBytes) / Double(opBytes)
  }
}

extension CanvasStore {
  /// Space used by the document's ops and snapshots.
  public func storageStats(_ document: DocumentID) throws(StoreError) -> StorageStats {
    try read { db in
      let key = try documentKey(document, db)
      let ops = try db.withStatement(
        """
        SELECT COUNT(*), COALESCE(SUM(length(payload) + length(CAST(replica AS BLOB))
          + length(CAST(actor AS BLOB)) + length(kind) + 24), 0)
        FROM ops WHERE op_key BETWEEN ? AND ?
        """
      ) { query in
        query.bind(1, OpKey.make(doc: key, seq: 0))
        query.bind(2, OpKey.make(doc: key, seq: OpKey.maxSeq))
        _ = try query.step()
        return (query.int64(0), query.int64(1))
      }
      let snapshots = try db.withStatement(
        "SELECT COUNT(*), COALESCE(SUM(length(state)), 0) FROM snapshots WHERE doc_key = ?"
      ) { query in
        query.bind(1, key)
        _ = try query.step()
        return (query.int64(0), query.int64(1))
      }
      return StorageStats(
        opCount: ops.0, opBytes: ops.1, snapshotCount: snapshots.0, snapshotBytes: snapshots.1)
    }
  }
}
