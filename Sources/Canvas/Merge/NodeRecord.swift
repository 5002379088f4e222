import LatentMath

/// The text a node shows, and the latent write it belongs to.
public struct TextSource: Hashable, Sendable {
  /// The latent write (node.create, node.move or node.setText) the text belongs to.
  public var write: OpID
  /// The node.decoded that supplied the text, or nil when the write carried its own.
  public var decode: NodeDecoded?
  /// The id of that node.decoded.
  public var decodeID: OpID?
  /// The text.
  public var text: String
  /// The embedding of the text.
  public var textLatent: LatentVector

  /// Makes a text source.
  public init(
    write: OpID, decode: NodeDecoded?, decodeID: OpID?, text: String, textLatent: LatentVector
  ) {
    self.write = write
    self.decode = decode
    self.decodeID = decodeID
    self.text = text
    self.textLatent = textLatent
  }

  /// Text sources are ordered by their write, then by their decode (own text first).
  func precedes(_ other: TextSource) -> Bool {
    if write != other.write { return write < other.write }
    switch (decodeID, other.decodeID) {
    case (nil, nil), (.some, nil): return false
    case (nil, .some): return true
    case (.some(let a), .some(let b)): return a < b
    }
  }
}

/// Everything the fold knows about one node id. Every field is a join of the ops seen, so
/// the record is the same for any delivery order of the same set of ops.
public struct NodeRecord: Hashable, Sendable {
  /// Set by node.delete; a deleted record keeps no other data and ignores later ops.
  public var isDeleted = false
  /// The node.create (LWW if a node id was created twice); nil while it has not arrived.
  public var create: Stamped<NodeOrigin>?
  /// The latent: LWW over node.create, node.move and node.setText.
  public var latent: Stamped<LatentVector>?
  /// The text: that of the newest latent write that has text.
  public var text: TextSource?
  /// Text-less latent writes newer than `text`, waiting for their node.decoded.
  public var awaitingDecode: Set<OpID> = []
  /// Decodes newer than `text` whose latent write has not arrived yet.
  public var earlyDecodes: [OpID: Stamped<NodeDecoded>] = [:]

  /// An empty record.
  public init() {}

  /// The record of a deleted node.
  public static let tombstone: NodeRecord = {
    var record = NodeRecord()
    record.isDeleted = true
    return record
  }()
}
