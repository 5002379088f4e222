import Canvas

extension CanvasStore {
  /// Creates an empty document.
  /// - Throws: `StoreError.documentExists` if the id is taken.
  public func createDocument(_ info: DocumentInfo) throws(StoreError) {
    try write { db in
      try db.transaction {
        try insertDocument(info, db)
      }
    }
  }

  func insertDocument(_ info: DocumentInfo, _ db: SQLiteConnection) throws {
    let exists = try db.statement("SELECT 1 FROM documents WHERE id = ?")
    defer { exists.reset() }
    exists.bind(1, info.id.rawValue)
    if try exists.step() { throw StoreError.documentExists(info.id) }
    let insert = try db.statement(
      "INSERT INTO documents(id, title, encoder, decoder, created_at) VALUES (?, ?, ?, ?, ?)")
    defer { insert.reset() }
    insert.bind(1, info.id.rawValue)
    insert.bind(2, info.title)
    insert.bind(3, info.encoder)
    insert.bind(4, info.decoder)
    insert.bind(5, info.createdAt)
    try insert.run()
  }

  /// The document's metadata, or nil if there is none with this id.
  public func document(_ id: DocumentID) throws(StoreError) -> DocumentInfo? {
    try read { db in
      let query = try db.statement(Self.documentColumns + " WHERE id = ?")
      defer { query.reset() }
      query.bind(1, id.rawValue)
      return try query.step() ? Self.documentInfo(query) : nil
    }
  }

  /// Every document, ordered by id.
  public func documents() throws(StoreError) -> [DocumentInfo] {
    try read { db in
      let query = try db.statement(Self.documentColumns + " ORDER BY id")
      defer { query.reset() }
      var result: [DocumentInfo] = []
      while try query.step() { result.append(Self.documentInfo(query)) }
      return result
    }
  }

  /// The document's metadata.
  /// - Throws: `StoreError.unknownDocument` when there is none with this id.
  public func requireDocument(_ id: DocumentID) throws(StoreError) -> DocumentInfo {
    guard let info = try document(id) else { throw .unknownDocument(id) }
    return info
  }

  static let documentColumns =
    "SELECT id, title, encoder, decoder, created_at, head_seq, max_lamport FROM documents"

  static func documentInfo(_ row: SQLiteStatement) -> DocumentInfo {
    DocumentInfo(
      id: DocumentID(row.string(0)), title: row.string(1), encoder: row.string(2),
      decoder: row.string(3), createdAt: row.int64(4), headSeq: row.int64(5),
      maxLamport: UInt64(bitPattern: row.int64(6)))
  }
}
