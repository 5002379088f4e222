import Canvas

/// One connection to an op-log database: the SQL that SQLite and PostgreSQL each write
/// their own way, beneath the logic `CanvasStore` shares between them (seq assignment,
/// duplicate detection, validation, group commit, snapshot policy, NDJSON).
///
/// Not thread-safe: the store uses each connection only under its own lock.
protocol OpLogConnection: AnyObject {
  /// Rows `insertOps` takes per call at most (the store's row buffer flushes at this size).
  var rowsPerInsert: Int { get }

  /// Runs `body` in a write transaction, committing on success, rolling back on a throw.
  func transaction<T>(_ body: () throws -> T) throws -> T

  /// The document's storage key and head seq, or nil when there is no such document.
  func documentHead(_ id: DocumentID) throws -> (key: Int64, head: Int64)?
  /// Inserts a new, empty document.
  /// - Throws: `StoreError.documentExists` when the id is taken.
  func insertDocument(_ info: DocumentInfo) throws
  /// The document's metadata, or nil.
  func documentInfo(_ id: DocumentID) throws -> DocumentInfo?
  /// Every document, ordered by id.
  func allDocuments() throws -> [DocumentInfo]

  /// The newest snapshot at or before `seq`, decoded, with its seq and size in bytes.
  func latestSnapshot(docKey: Int64, atOrBefore seq: Int64) throws
    -> (seq: Int64, state: DocumentState, bytes: Int)?
  /// Calls `body` for up to `limit` ops with seq in `from...through`, in seq order,
  /// streaming rather than loading the range.
  func forEachOp(
    docKey: Int64, from: Int64, through: Int64, limit: Int, _ body: (SequencedOp) throws -> Void
  ) throws
  /// Stored size of the ops after `seq` (as `CanvasStore.storedSize` counts it).
  func logBytes(docKey: Int64, after seq: Int64) throws -> Int64
  /// The largest committed lamport of each replica.
  func replicaClocks(docKey: Int64) throws -> [ReplicaID: UInt64]
  /// The seq of a committed op, or nil.
  func seq(of id: OpID, docKey: Int64) throws -> Int64?
  /// Space used by the document's ops and snapshots.
  func storageStats(docKey: Int64) throws -> StorageStats

  /// May this connection append to the document in the open transaction? Always for
  /// SQLite (one process owns the file); on PostgreSQL only while this node holds the
  /// document's lease, which the check locks until the transaction ends (fencing).
  func mayAppend(to document: DocumentID) throws -> AppendPermission
  /// Inserts up to `rowsPerInsert` op rows committed at `at` (unix milliseconds).
  func insertOps(_ rows: ArraySlice<OpRow>, at: Int64) throws
  /// Records the head seq, max lamport and the given replica clocks.
  func saveHead(
    docKey: Int64, headSeq: Int64, maxLamport: UInt64, clocks: [(ReplicaID, UInt64)]
  ) throws
  /// Stores a snapshot (replacing one at the same seq).
  func saveSnapshot(docKey: Int64, seq: Int64, state: [UInt8]) throws
  /// Called after each committed write transaction with the op bytes it wrote.
  func committed(bytes: Int)
}

/// The answer of the fencing check before a document's appends.
enum AppendPermission {
  /// This node holds the document's lease, as it did at its last append.
  case allowed
  /// This node has just taken the lease (a new tenure): what it cached of the document
  /// may be stale and must be read again.
  case allowedNewTenure
  /// Another node holds the lease, or this node's lapsed: nothing may be appended.
  case fenced
}

extension SequencedOp {
  /// Decodes one stored op row.
  static func decode(
    seq: Int64, lamport: Int64, replica: String, actor: String, kind kindName: String,
    payload: UnsafeRawBufferPointer, at: Int64?
  ) throws(StoreError) -> SequencedOp {
    guard let kind = OpKind(rawValue: kindName) else {
      throw StoreError.corrupt("unknown op kind '\(kindName)' at seq \(seq)")
    }
    let decoded = try OpCodec.decode(kind, payload)
    let op = Op(
      id: OpID(lamport: UInt64(bitPattern: lamport), replica: ReplicaID(replica)),
      actor: actor, payload: decoded)
    return SequencedOp(seq: seq, op: op, at: at)
  }
}
