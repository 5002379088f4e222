/// The limits ops are checked against. Every field has a documented default.
public struct ValidationLimits: Hashable, Sendable {
  /// Dimensions of every latent (all-MiniLM-L6-v2: 384).
  public var dimension: Int
  /// Longest node text, in characters.
  public var maxTextLength: Int
  /// How far a client lamport may run ahead of the document's largest.
  public var maxLamportLead: UInt64
  /// Longest id (node, axis, replica, actor), in UTF-8 bytes.
  public var maxIDLength: Int
  /// Most runners-up a decode may carry, and most axes a move may target.
  public var maxListLength: Int
  /// Most positions one view.layout may carry (a map of the largest canvas).
  public var maxMapPositions: Int

  /// Makes limits; every argument has the product default.
  public init(
    dimension: Int = 384, maxTextLength: Int = 2_000, maxLamportLead: UInt64 = 1_000_000,
    maxIDLength: Int = 128, maxListLength: Int = 64, maxMapPositions: Int = 50_000
  ) {
    self.dimension = dimension
    self.maxTextLength = maxTextLength
    self.maxLamportLead = maxLamportLead
    self.maxIDLength = maxIDLength
    self.maxListLength = maxListLength
    self.maxMapPositions = maxMapPositions
  }

  /// The product defaults.
  public static let standard = ValidationLimits()
}
