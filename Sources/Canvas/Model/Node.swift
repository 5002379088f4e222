import LatentMath

/// A live node as users see it, derived from its record. Its screen position is its latent
/// projected on the bound axes; it is never stored.
public struct Node: Hashable, Sendable {
  /// The node's id.
  public var id: NodeID
  /// Its text; nil while a text-less node waits for its first decode.
  public var text: String?
  /// Where users put it.
  public var latent: LatentVector
  /// The embedding of its current text.
  public var textLatent: LatentVector?
  /// How it came to exist.
  public var origin: NodeOrigin
  /// The latent write whose text is shown.
  public var textWrite: OpID?
  /// The latent write that set `latent`.
  public var latentWrite: OpID
  /// The decode that supplied the text, when the text came from the decoder.
  public var decode: NodeDecoded?

  /// cos(latent, textLatent): how well the shown text hits where the node was put.
  public var fidelity: Float? {
    textLatent.map { VectorMath.cosine(latent.floats, $0.floats) }
  }

  /// True when the shown text belongs to an older write than the latent (a decode is due).
  public var isTextStale: Bool { textWrite != latentWrite }
}

extension NodeRecord {
  /// The live node, or nil if deleted or not yet created.
  func node(id: NodeID) -> Node? {
    guard !isDeleted, let create, let latent else { return nil }
    return Node(
      id: id, text: text?.text, latent: latent.value, textLatent: text?.textLatent,
      origin: create.value, textWrite: text?.write, latentWrite: latent.stamp,
      decode: text?.decode)
  }
}
