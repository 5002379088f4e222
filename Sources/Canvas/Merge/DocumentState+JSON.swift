import LatentMath

/// A JSON rendering of a document's live state, for `latitude replay`, REST and joins.
/// Latents are base64 fp16 when included.
public struct DocumentStateView: Encodable, Sendable {
  /// A node as rendered.
  public struct NodeView: Encodable, Sendable {
    /// The node id.
    public var id: NodeID
    /// Its text (nil while awaiting a first decode).
    public var text: String?
    /// How it came to exist.
    public var origin: NodeOrigin
    /// cos(latent, textLatent).
    public var fidelity: Float?
    /// True when a newer latent write has no text yet.
    public var textIsStale: Bool
    /// The op that set the latent.
    public var latentWrite: OpID
    /// The latent write the text belongs to.
    public var textWrite: OpID?
    /// Decode details, when the text came from the decoder.
    public var decode: DecodeView?
    /// The latent (only when asked for).
    public var latent: LatentVector?
    /// The text's embedding (only when asked for).
    public var textLatent: LatentVector?
  }

  /// Decode details of a node's text.
  public struct DecodeView: Encodable, Sendable {
    /// Generated or bank.
    public var source: DecodeSource
    /// The decoder that produced the text.
    public var decoderVersion: String
    /// Candidates that lost, with cosines.
    public var runnersUp: [RunnerUp]
    /// The latent write it answers.
    public var answers: OpID
  }

  /// An axis as rendered.
  public struct AxisView: Encodable, Sendable {
    /// The axis id.
    public var id: AxisID
    /// Display name.
    public var name: String
    /// Pole labels.
    public var poles: AxisPoles
    /// Provider that computed it.
    public var provider: String
    /// Provider parameters.
    public var params: JSONValue
    /// Raw-projection calibration.
    public var calibration: AxisCalibration
    /// Unit direction (only when asked for).
    public var direction: LatentVector?
  }

  /// An op.apply record.
  public struct OperationView: Encodable, Sendable {
    /// The op.apply op id.
    public var id: OpID
    /// What ran.
    public var apply: OpApply
  }

  /// The map: its current full layout and every live node's position in it.
  public struct MapView: Encodable, Sendable, Equatable {
    /// The full layout's op id.
    public var run: OpID
    /// How it was computed.
    public var method: MapMethod
    /// The method's parameters.
    public var params: JSONValue
    /// Live nodes' positions, by node id, as [x, y] (string keys: a JSON object).
    public var positions: [String: [Float]]
  }

  /// Largest lamport folded.
  public var maxLamport: UInt64
  /// Axes bound to screen x and y.
  public var view: ViewBindings
  /// Live nodes by id.
  public var nodes: [NodeView]
  /// Live axes by id.
  public var axes: [AxisView]
  /// Plugin operations that ran.
  public var operations: [OperationView]
  /// The map, once a layout has been computed.
  public var map: MapView?
  /// The document's names for features: dictionary → feature id (a string key) → name.
  /// Absent when no feature was ever named.
  public var featureNames: [String: [String: String]]?
  /// The plugins the owner allows in this document (plugins.allow); absent: no restriction.
  public var pluginAllowList: [String]?
}

extension DocumentState {
  /// The live state as a JSON-ready view; latents only when `includeLatents`.
  public func rendered(includeLatents: Bool) -> DocumentStateView {
    DocumentStateView(
      maxLamport: maxLamport, view: view,
      nodes: nodes.map { node in
        DocumentStateView.NodeView(
          id: node.id, text: node.text, origin: node.origin, fidelity: node.fidelity,
          textIsStale: node.isTextStale, latentWrite: node.latentWrite, textWrite: node.textWrite,
          decode: node.decode.map {
            DocumentStateView.DecodeView(
              source: $0.source, decoderVersion: $0.decoderVersion, runnersUp: $0.runnersUp,
              answers: $0.answers)
          },
          latent: includeLatents ? node.latent : nil,
          textLatent: includeLatents ? node.textLatent : nil)
      },
      axes: axes.map { axis in
        DocumentStateView.AxisView(
          id: axis.id, name: axis.name, poles: axis.poles, provider: axis.provider,
          params: axis.params, calibration: axis.calibration,
          direction: includeLatents ? axis.direction : nil)
      },
      operations: operations.keys.sorted().map {
        DocumentStateView.OperationView(id: $0, apply: operations[$0]!)
      },
      map: renderedMap, featureNames: renderedFeatureNames,
      pluginAllowList: pluginAllowList?.value)
  }

  /// Non-empty feature names by dictionary and feature id; nil when there are none.
  public var renderedFeatureNames: [String: [String: String]]? {
    var names: [String: [String: String]] = [:]
    for (key, stamped) in featureNames where !stamped.value.isEmpty {
      names[key.dictionary, default: [:]][String(key.feature)] = stamped.value
    }
    return names.isEmpty ? nil : names
  }

  /// The document's name for a feature of `dictionary`, if someone named it.
  public func featureName(_ feature: Int, in dictionary: String) -> String? {
    guard let name = featureNames[FeatureKey(dictionary: dictionary, feature: feature)]?.value,
      !name.isEmpty
    else { return nil }
    return name
  }

  /// The map with its live nodes' positions, nil before the first layout.
  public var renderedMap: DocumentStateView.MapView? {
    guard let layout = map.layout else { return nil }
    var positions: [String: [Float]] = [:]
    for (node, position) in map.positions where isLive(node) {
      positions[node.rawValue] = [position.x, position.y]
    }
    return DocumentStateView.MapView(
      run: layout.stamp, method: layout.value.method, params: layout.value.params,
      positions: positions)
  }
}
