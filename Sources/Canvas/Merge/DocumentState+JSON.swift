import Latent

/// A JSON rendering of a document's live state, for `latitude replay`, REST and joins.
/// Latents are base64 fp16 when included.
public struct DocumentStateView: Encodable, Sendable {
  /// A node as rendered.
  public struct NodeView: Encodable, Sendable {
    public var id: NodeID
    public var text: String?
    public var origin: NodeOrigin
    public var fidelity: Float?
    public var textIsStale: Bool
    public var latentWrite: OpID
    public var textWrite: OpID?
    public var decode: DecodeView?
    public var latent: LatentVector?
    public var textLatent: LatentVector?
  }

  /// Decode details of a node's text.
  public struct DecodeView: Encodable, Sendable {
    public var source: DecodeSource
    public var decoderVersion: String
    public var runnersUp: [RunnerUp]
    public var answers: OpID
  }

  /// An axis as rendered.
  public struct AxisView: Encodable, Sendable {
    public var id: AxisID
    public var name: String
    public var poles: AxisPoles
    public var provider: String
    public var params: JSONValue
    public var calibration: AxisCalibration
    public var direction: LatentVector?
  }

  /// An op.apply record.
  public struct OperationView: Encodable, Sendable {
    public var id: OpID
    public var apply: OpApply
  }

  public var maxLamport: UInt64
  public var view: ViewBindings
  public var nodes: [NodeView]
  public var axes: [AxisView]
  public var operations: [OperationView]
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
      })
  }
}
