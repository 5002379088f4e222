import Canvas
import Latent

/// The seeded generator tests use (Latent's SplitMix64), so every case replays from its seed.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
  /// A random unit vector of `dimension` components, rounded to fp16.
  public mutating func latent(dimension: Int = 384) -> LatentVector {
    var values = (0..<dimension).map { _ in Float.random(in: -1...1, using: &self) }
    let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for i in values.indices { values[i] /= norm }
    return LatentVector(values)
  }
}

/// Small builders for ops in tests.
public enum OpFixtures {
  /// An op id.
  public static func id(_ lamport: UInt64, _ replica: String = "r1") -> OpID {
    OpID(lamport: lamport, replica: ReplicaID(replica))
  }

  /// A constant latent whose first component is `marker` (then renormalised by nobody:
  /// tests compare these exactly).
  public static func latent(_ marker: Float, dimension: Int = 384) -> LatentVector {
    var values = [Float](repeating: 0.01, count: dimension)
    values[0] = marker
    return LatentVector(values)
  }

  /// node.create with text.
  public static func create(_ node: NodeID, _ text: String?, at id: OpID, latent: Float = 0.5)
    -> Op
  {
    Op(
      id: id, actor: "tester",
      payload: .nodeCreate(NodeCreate(node: node, text: text, latent: Self.latent(latent))))
  }

  /// node.move with a resolved latent, optionally aimed at a coordinate on `axis`.
  public static func move(_ node: NodeID, at id: OpID, latent: Float, axis: AxisID? = nil) -> Op {
    Op(
      id: id, actor: "tester",
      payload: .nodeMove(
        NodeMove(
          node: node, coordinates: axis.map { [AxisCoordinate(axis: $0, value: 0.5)] } ?? [],
          latent: Self.latent(latent))))
  }

  /// node.setText with its latent.
  public static func setText(_ node: NodeID, _ text: String, at id: OpID, latent: Float) -> Op {
    Op(
      id: id, actor: "tester",
      payload: .nodeSetText(NodeSetText(node: node, text: text, latent: Self.latent(latent))))
  }

  /// node.decoded answering `answers`.
  public static func decoded(_ node: NodeID, answers: OpID, _ text: String, at id: OpID) -> Op {
    Op(
      id: id, actor: "server",
      payload: .nodeDecoded(
        NodeDecoded(
          node: node, answers: answers, text: text, textLatent: Self.latent(0.3), fidelity: 0.9,
          source: .generated, runnersUp: [RunnerUp(text: "other", cosine: 0.8)],
          decoderVersion: "test-1")))
  }

  /// node.delete.
  public static func delete(_ node: NodeID, at id: OpID) -> Op {
    Op(id: id, actor: "tester", payload: .nodeDelete(NodeDelete(node: node)))
  }

  /// axis.create.
  public static func axis(_ axis: AxisID, name: String, at id: OpID) -> Op {
    Op(
      id: id, actor: "tester",
      payload: .axisCreate(
        AxisCreate(
          axis: axis, name: name, poles: AxisPoles(negative: "sad", positive: "happy"),
          provider: "examples", params: .object(["k": .number(1)]), direction: latent(0.9),
          calibration: AxisCalibration(negativeMean: -0.2, positiveMean: 0.3))))
  }
}
