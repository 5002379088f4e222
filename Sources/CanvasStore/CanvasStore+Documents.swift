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

  func insertDocument(_ info: DocumentInfo, _ db: any OpLogConnection) throws {
    try db.insertDocument(info)
  }

  /// The document's metadata, or nil if there is none with this id.
  public func document(_ id: DocumentID) throws(StoreError) -> DocumentInfo? {
    try read { db in try db.documentInfo(id) }
  }

  /// Every document, ordered by id.
  public func documents() throws(StoreError) -> [DocumentInfo] {
    try read { db in try db.allDocuments() }
  }

  /// The document's metadata.
  /// - Throws: `StoreError.unknownDocument` when there is none with this id.
  public func requireDocument(_ id: DocumentID) throws(StoreError) -> DocumentInfo {
    guard let info = try document(id) else { throw .unknownDocument(id) }
    return info
  }
}
