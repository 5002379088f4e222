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
    try read { db in try db.storageStats(docKey: try documentKey(document, db)) }
  }
}
