import Canvas

/// Errors from the op log. Each renders a message fit for a user or an operator.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
  /// SQLite failed.
  case sqlite(SQLiteError)
  /// PostgreSQL failed (or could not be reached).
  case postgres(PostgresError)
  /// No document has this id.
  case unknownDocument(DocumentID)
  /// A document with this id already exists.
  case documentExists(DocumentID)
  /// A seq outside 0...head was asked for.
  case seqOutOfRange(seq: Int64, head: Int64)
  /// Stored bytes could not be decoded.
  case corrupt(String)
  /// The database file was written by a newer Latitude.
  case newerSchema(found: Int, supported: Int)
  /// An NDJSON import line could not be used.
  case badImport(line: Int, reason: String)
  /// The database file does not exist (and the caller asked not to create it).
  case missingFile(String)
  /// The group-commit queue is full; retry later.
  case overloaded
  /// The group committer has shut down.
  case closed

  public var description: String {
    switch self {
    case .sqlite(let error): error.description
    case .postgres(let error): error.description
    case .unknownDocument(let id): "no document with id '\(id)'"
    case .documentExists(let id): "a document with id '\(id)' already exists"
    case .seqOutOfRange(let seq, let head):
      "seq \(seq) is out of range: the document has seqs 0...\(head)"
    case .corrupt(let detail): "corrupt op log data: \(detail)"
    case .newerSchema(let found, let supported):
      "the database has schema version \(found); this build supports up to \(supported)"
    case .badImport(let line, let reason): "import line \(line): \(reason)"
    case .missingFile(let path): "no database at \(path)"
    case .overloaded: "the op log is overloaded; retry shortly"
    case .closed: "the op log is shutting down"
    }
  }
}
