import Canvas

/// A document's metadata row.
public struct DocumentInfo: Hashable, Sendable, Codable {
  /// The document's id.
  public var id: DocumentID
  /// Its title.
  public var title: String
  /// The encoder it was made with.
  public var encoder: String
  /// The decoder it was made with.
  public var decoder: String
  /// Creation time, unix seconds.
  public var createdAt: Int64
  /// The last committed seq (0 when empty).
  public var headSeq: Int64
  /// The largest lamport committed.
  public var maxLamport: UInt64

  /// Makes document metadata for a new, empty document.
  public init(
    id: DocumentID, title: String, encoder: String = "all-MiniLM-L6-v2",
    decoder: String = "none", createdAt: Int64, headSeq: Int64 = 0, maxLamport: UInt64 = 0
  ) {
    self.id = id
    self.title = title
    self.encoder = encoder
    self.decoder = decoder
    self.createdAt = createdAt
    self.headSeq = headSeq
    self.maxLamport = maxLamport
  }
}

/// An op with the seq it was committed at.
public struct SequencedOp: Hashable, Sendable {
  /// Its dense per-document sequence number.
  public var seq: Int64
  /// The op.
  public var op: Op
  /// When it was committed (unix milliseconds); nil for ops logged before that was kept.
  public var at: Int64?

  /// Makes a sequenced op.
  public init(seq: Int64, op: Op, at: Int64? = nil) {
    self.seq = seq
    self.op = op
    self.at = at
  }
}
