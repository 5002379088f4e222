import Canvas
import Foundation

/// A snapshot encoded in the background, waiting to be written.
struct ReadySnapshot {
  var document: DocumentID
  var docKey: Int64
  var seq: Int64
  var bytes: [UInt8]
  /// The document's op count and op bytes since its last snapshot, when captured.
  var opsAtCapture: Int
  var bytesAtCapture: Int
}

/// Snapshot policy: after a commit, a document whose log grew by at least
/// `snapshotInterval` ops, and enough bytes to pay for a snapshot of the last one's size,
/// has its folded state captured (a copy-on-write copy, O(1)) and encoded on a background
/// queue. The next write transaction stores it if it fits the budget: at most
/// `snapshotMaxRatio` × the op bytes logged since the previous snapshot. So snapshot storage
/// stays below that ratio of the log, and the writer never spends time encoding.
extension CanvasStore {
  /// Captures the committed state of each document that is due. Call after a commit;
  /// caller holds `writeLock`.
  func scheduleSnapshots(_ documents: Set<DocumentID>) {
    for id in documents {
      guard var doc = writerDocuments[id], !doc.snapshotInFlight,
        doc.opsSinceSnapshot >= configuration.snapshotInterval,
        doc.lastSnapshotBytes <= budget(forOpBytes: doc.bytesSinceSnapshot)
      else { continue }
      doc.snapshotInFlight = true
      writerDocuments[id] = doc
      let state = doc.state
      let pending = ReadySnapshot(
        document: id, docKey: doc.key, seq: doc.headSeq, bytes: [],
        opsAtCapture: doc.opsSinceSnapshot, bytesAtCapture: doc.bytesSinceSnapshot)
      snapshotQueue.async { [self] in
        var ready = pending
        ready.bytes = SnapshotCodec.encode(state)
        snapshotLock.lock()
        readySnapshots.append(ready)
        snapshotLock.unlock()
      }
    }
  }

  /// Stores the snapshots encoded so far that fit their budget. Caller holds `writeLock`
  /// and an open transaction.
  func writeReadySnapshots(_ db: any OpLogConnection) throws {
    snapshotLock.lock()
    let ready = readySnapshots
    readySnapshots.removeAll()
    snapshotLock.unlock()
    for snapshot in ready {
      // A document reloaded after a failed commit recounts from the store; skip its
      // snapshot rather than guess its budget.
      guard var doc = writerDocuments[snapshot.document], doc.key == snapshot.docKey else {
        continue
      }
      doc.snapshotInFlight = false
      doc.lastSnapshotBytes = snapshot.bytes.count
      if snapshot.bytes.count <= budget(forOpBytes: snapshot.bytesAtCapture) {
        try db.saveSnapshot(docKey: snapshot.docKey, seq: snapshot.seq, state: snapshot.bytes)
        doc.opsSinceSnapshot -= snapshot.opsAtCapture
        doc.bytesSinceSnapshot -= snapshot.bytesAtCapture
      }
      writerDocuments[snapshot.document] = doc
    }
  }

  /// Waits for snapshots being encoded and stores those that fit. Call before shutting
  /// down, or to make snapshot storage deterministic (tests, benchmarks).
  public func writePendingSnapshots() throws(StoreError) {
    snapshotQueue.sync {}
    try write { db in try db.transaction { try writeReadySnapshots(db) } }
  }

  private func budget(forOpBytes bytes: Int) -> Int {
    Int(Double(bytes) * configuration.snapshotMaxRatio)
  }
}
