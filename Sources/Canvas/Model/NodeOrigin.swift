/// Where a node came from.
public struct NodeOrigin: Hashable, Sendable, Codable {
  /// How a node came to exist.
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Someone typed it.
    case typed
    /// It was split off by moving another node.
    case moved
    /// A mix (interpolation) of its parents.
    case mixed
    /// A sample around its parent ("blur").
    case sampled
    /// Re-created from a deleted node by "restore".
    case restored
    /// Produced by another plugin operation (analogy, PCA, ...).
    case derived
  }

  /// How the node came to exist.
  public var kind: Kind
  /// The nodes it was made from, if any.
  public var parents: [NodeID]

  /// Makes an origin.
  public init(kind: Kind, parents: [NodeID] = []) {
    self.kind = kind
    self.parents = parents
  }

  /// A node someone typed.
  public static let typed = NodeOrigin(kind: .typed)
}
