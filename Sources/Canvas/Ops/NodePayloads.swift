import LatentMath

/// node.create: a new node. Typed nodes carry their text, whose embedding is the latent.
/// Nodes created by plugin operations carry only a latent and get text from node.decoded.
public struct NodeCreate: Hashable, Sendable, Codable {
  /// The new node.
  public var node: NodeID
  /// The typed text; nil for a node whose text comes from a decode.
  public var text: String?
  /// Where the node sits in latent space.
  public var latent: LatentVector
  /// How the node came to exist.
  public var origin: NodeOrigin

  /// Makes a node.create payload.
  public init(node: NodeID, text: String?, latent: LatentVector, origin: NodeOrigin = .typed) {
    self.node = node
    self.text = text
    self.latent = latent
    self.origin = origin
  }
}

/// A target coordinate on one axis.
public struct AxisCoordinate: Hashable, Sendable, Codable {
  /// The axis.
  public var axis: AxisID
  /// The calibrated coordinate (−1 and +1 are the poles' means).
  public var value: Float

  /// Makes a coordinate.
  public init(axis: AxisID, value: Float) {
    self.axis = axis
    self.value = value
  }
}

/// node.move: the node's target coordinates on the bound axes. The server resolves them to
/// a latent (least squares on the axes) and attaches it before logging.
public struct NodeMove: Hashable, Sendable, Codable {
  /// The node being moved.
  public var node: NodeID
  /// Where the user put it, in axis coordinates.
  public var coordinates: [AxisCoordinate]
  /// The resolved latent; required once logged.
  public var latent: LatentVector?

  /// Makes a node.move payload.
  public init(node: NodeID, coordinates: [AxisCoordinate], latent: LatentVector? = nil) {
    self.node = node
    self.coordinates = coordinates
    self.latent = latent
  }
}

/// node.setText: new text for a node. The server attaches the text's embedding as the latent.
public struct NodeSetText: Hashable, Sendable, Codable {
  /// The node being edited.
  public var node: NodeID
  /// Its new text.
  public var text: String
  /// The embedding of `text`; required once logged.
  public var latent: LatentVector?

  /// Makes a node.setText payload.
  public init(node: NodeID, text: String, latent: LatentVector? = nil) {
    self.node = node
    self.text = text
    self.latent = latent
  }
}

/// node.decoded (server-authored): the decoder's text for one latent write.
public struct NodeDecoded: Hashable, Sendable, Codable {
  /// The node.
  public var node: NodeID
  /// The latent write (node.move or a text-less node.create) this decode answers.
  public var answers: OpID
  /// The chosen text.
  public var text: String
  /// The embedding of `text`.
  public var textLatent: LatentVector
  /// cos(target latent, textLatent) as measured by the decoder.
  public var fidelity: Float
  /// Whether the text was generated or taken from the sentence bank.
  public var source: DecodeSource
  /// The best candidates that lost, with their cosines.
  public var runnersUp: [RunnerUp]
  /// The decoder that produced it.
  public var decoderVersion: String

  /// Makes a node.decoded payload.
  public init(
    node: NodeID, answers: OpID, text: String, textLatent: LatentVector, fidelity: Float,
    source: DecodeSource, runnersUp: [RunnerUp] = [], decoderVersion: String
  ) {
    self.node = node
    self.answers = answers
    self.text = text
    self.textLatent = textLatent
    self.fidelity = fidelity
    self.source = source
    self.runnersUp = runnersUp
    self.decoderVersion = decoderVersion
  }
}

/// node.delete: a tombstone. Later ops on the node are ignored.
public struct NodeDelete: Hashable, Sendable, Codable {
  /// The deleted node.
  public var node: NodeID

  /// Makes a node.delete payload.
  public init(node: NodeID) { self.node = node }
}
