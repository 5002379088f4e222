import Canvas

/// The op log in PostgreSQL: `OpLogConnection` on a `PostgresConnection`.
///
/// A group commit writes its rows with one INSERT … SELECT FROM unnest(arrays) per
/// `rowsPerInsert` rows, so a transaction of thousands of ops costs a handful of round
/// trips. On the writer, `mayAppend` is the fencing check (see `DocumentOwnership`).
final class PostgresOpLog: OpLogConnection {
  let db: PostgresConnection
  /// The node's leases; nil on the reader, which never appends.
  let ownership: DocumentOwnership?

  init(_ db: PostgresConnection, ownership: DocumentOwnership?) {
    self.db = db
    self.ownership = ownership
  }

  var rowsPerInsert: Int { 2_048 }

  func transaction<T>(_ body: () throws -> T) throws -> T {
    try db.transaction(body)
  }

  func documentHead(_ id: DocumentID) throws -> (key: Int64, head: Int64)? {
    let rows = try db.query(
      "SELECT doc_key, head_seq FROM documents WHERE id = $1", [.text(id.rawValue)])
    return rows.count == 0 ? nil : (rows.int64(0, 0), rows.int64(0, 1))
  }

  func insertDocument(_ info: DocumentInfo) throws {
    let rows = try db.query(
      """
      INSERT INTO documents(id, title, encoder, decoder, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO NOTHING RETURNING doc_key
      """,
      [
        .text(info.id.rawValue), .text(info.title), .text(info.encoder), .text(info.decoder),
        .int64(info.createdAt),
      ])
    if rows.count == 0 { throw StoreError.documentExists(info.id) }
  }

  func documentInfo(_ id: DocumentID) throws -> DocumentInfo? {
    let rows = try db.query(DocumentInfo.selectColumns + " WHERE id = $1", [.text(id.rawValue)])
    return rows.count == 0 ? nil : Self.documentInfo(rows, 0)
  }

  func allDocuments() throws -> [DocumentInfo] {
    let rows = try db.query(DocumentInfo.selectColumns + " ORDER BY id")
    return (0..<rows.count).map { Self.documentInfo(rows, $0) }
  }

  private static func documentInfo(_ rows: PostgresResult, _ row: Int) -> DocumentInfo {
    DocumentInfo(
      id: DocumentID(rows.string(row, 0)), title: rows.string(row, 1),
      encoder: rows.string(row, 2), decoder: rows.string(row, 3),
      createdAt: rows.int64(row, 4), headSeq: rows.int64(row, 5),
      maxLamport: UInt64(bitPattern: rows.int64(row, 6)))
  }

  func latestSnapshot(docKey: Int64, atOrBefore seq: Int64) throws
    -> (seq: Int64, state: DocumentState, bytes: Int)?
  {
    let rows = try db.query(
      "SELECT seq, state FROM snapshots WHERE doc_key = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1",
      [.int64(docKey), .int64(seq)])
    guard rows.count > 0 else { return nil }
    return try rows.withBytes(0, 1) { blob in
      (rows.int64(0, 0), try SnapshotCodec.decode(blob), blob.count)
    }
  }

  /// Reads in pages of `pageRows`, so a long range never sits in memory at once.
  static let pageRows = 4_096

  func forEachOp(
    docKey: Int64, from: Int64, through: Int64, limit: Int, _ body: (SequencedOp) throws -> Void
  ) throws {
    var next = max(from, 0)
    var left = limit
    while next <= through, left > 0 {
      let page = min(left, Self.pageRows)
      let rows = try db.query(
        """
        SELECT seq, lamport, replica, actor, kind, payload, at_ms FROM ops
        WHERE doc_key = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq LIMIT $4
        """,
        [.int64(docKey), .int64(next), .int64(through), .int64(Int64(page))])
      for row in 0..<rows.count {
        let entry = try rows.withBytes(row, 5) { blob throws(StoreError) in
          try SequencedOp.decode(
            seq: rows.int64(row, 0), lamport: rows.int64(row, 1), replica: rows.string(row, 2),
            actor: rows.string(row, 3), kind: rows.string(row, 4), payload: blob,
            at: rows.isNull(row, 6) ? nil : rows.int64(row, 6))
        }
        try body(entry)
        next = entry.seq + 1
      }
      left -= rows.count
      if rows.count < page { return }
    }
  }

  func logBytes(docKey: Int64, after seq: Int64) throws -> Int64 {
    try db.query(
      """
      SELECT COALESCE(SUM(octet_length(payload) + octet_length(replica) + octet_length(actor)
        + octet_length(kind) + 24), 0)::int8
      FROM ops WHERE doc_key = $1 AND seq > $2
      """, [.int64(docKey), .int64(seq)]
    ).int64(0, 0)
  }

  func replicaClocks(docKey: Int64) throws -> [ReplicaID: UInt64] {
    let rows = try db.query(
      "SELECT replica, lamport FROM replica_clocks WHERE doc_key = $1", [.int64(docKey)])
    var clocks: [ReplicaID: UInt64] = [:]
    for row in 0..<rows.count {
      clocks[ReplicaID(rows.string(row, 0))] = UInt64(bitPattern: rows.int64(row, 1))
    }
    return clocks
  }

  func seq(of id: OpID, docKey: Int64) throws -> Int64? {
    let rows = try db.query(
      "SELECT seq FROM ops WHERE doc_key = $1 AND lamport = $2 AND replica = $3",
      [.int64(docKey), .int64(Int64(bitPattern: id.lamport)), .text(id.replica.rawValue)])
    return rows.count == 0 ? nil : rows.int64(0, 0)
  }

  func storageStats(docKey: Int64) throws -> StorageStats {
    let ops = try db.query("SELECT COUNT(*)::int8 FROM ops WHERE doc_key = $1", [.int64(docKey)])
    let snapshots = try db.query(
      "SELECT COUNT(*)::int8, COALESCE(SUM(octet_length(state)), 0)::int8 FROM snapshots WHERE doc_key = $1",
      [.int64(docKey)])
    return StorageStats(
      opCount: ops.int64(0, 0), opBytes: try logBytes(docKey: docKey, after: -1),
      snapshotCount: snapshots.int64(0, 0), snapshotBytes: snapshots.int64(0, 1))
  }

  func mayAppend(to document: DocumentID) throws -> AppendPermission {
    guard let ownership else { return .fenced }
    return try ownership.fence(document, on: db)
  }

  func insertOps(_ rows: ArraySlice<OpRow>, at: Int64) throws {
    guard !rows.isEmpty else { return }
    _ = try db.query(
      """
      INSERT INTO ops(doc_key, seq, lamport, replica, actor, kind, payload, at_ms)
      SELECT d, s, l, r, a, k, p, $8 FROM unnest($1::int8[], $2::int8[], $3::int8[],
        $4::text[], $5::text[], $6::text[], $7::bytea[]) AS t(d, s, l, r, a, k, p)
      """,
      [
        .int64Array(rows.map(\.doc)), .int64Array(rows.map(\.seq)),
        .int64Array(rows.map(\.lamport)), .textArray(rows.map(\.replica)),
        .textArray(rows.map(\.actor)), .textArray(rows.map(\.kind)),
        .bytesArray(rows.map(\.payload)), .int64(at),
      ])
  }

  func saveHead(
    docKey: Int64, headSeq: Int64, maxLamport: UInt64, clocks: [(ReplicaID, UInt64)]
  ) throws {
    _ = try db.query(
      "UPDATE documents SET head_seq = $1, max_lamport = $2 WHERE doc_key = $3",
      [.int64(headSeq), .int64(Int64(bitPattern: maxLamport)), .int64(docKey)])
    guard !clocks.isEmpty else { return }
    _ = try db.query(
      """
      INSERT INTO replica_clocks(doc_key, replica, lamport)
      SELECT $1, r, l FROM unnest($2::text[], $3::int8[]) AS t(r, l)
      ON CONFLICT (doc_key, replica) DO UPDATE SET lamport = EXCLUDED.lamport
      """,
      [
        .int64(docKey), .textArray(clocks.map(\.0.rawValue)),
        .int64Array(clocks.map { Int64(bitPattern: $0.1) }),
      ])
  }

  func saveSnapshot(docKey: Int64, seq: Int64, state: [UInt8]) throws {
    _ = try db.query(
      """
      INSERT INTO snapshots(doc_key, seq, state) VALUES ($1, $2, $3)
      ON CONFLICT (doc_key, seq) DO UPDATE SET state = EXCLUDED.state
      """, [.int64(docKey), .int64(seq), .bytes(state)])
  }

  func committed(bytes: Int) {}
}
