import CommandSupport
import Canvas
import Latent

/// Generates a realistic op stream for benchmarks: a few axes and a view binding, a set of
/// typed nodes, then mostly moves (each carrying its resolved latent), a decode answering
/// about one move in three, and the occasional text edit. Deterministic for a seed.
struct SyntheticCanvas {
  private var random: SplitMix64
  private let nodeCount: Int
  private let dimension = 384
  private var lamport: UInt64 = 0
  private var latents: [[Float]] = []
  private var noise: [[Float]] = []
  private var lastMove: [OpID?] = []
  private(set) var generated = 0
  private let replicas: [ReplicaID] = ["replica-a", "replica-b", "replica-c", "replica-d"]

  init(seed: UInt64, nodes: Int) {
    random = SplitMix64(seed: seed)
    nodeCount = nodes
    noise = (0..<256).map { _ in Self.unitVector(&random, dimension: 384, scale: 0.15) }
  }

  /// The next `count` ops.
  mutating func next(_ count: Int) -> [Op] {
    var ops: [Op] = []
    ops.reserveCapacity(count)
    while ops.count < count {
      ops.append(nextOp())
    }
    return ops
  }

  private mutating func nextOp() -> Op {
    defer { generated += 1 }
    lamport += 1
    let replica = replicas[Int(random.next() % UInt64(replicas.count))]
    let id = OpID(lamport: lamport, replica: replica)
    let actor = "user-\(replica.rawValue.suffix(1))"
    if generated < 3 {
      let axis = AxisID("axis-\(generated)")
      let direction = Self.unitVector(&random, dimension: dimension, scale: 1)
      return Op(
        id: id, actor: actor,
        payload: .axisCreate(
          AxisCreate(
            axis: axis, name: "Axis \(generated)",
            poles: AxisPoles(negative: "less", positive: "more"), provider: "examples",
            params: .object([
              "negative": .array([.string("a")]), "positive": .array([.string("b")]),
            ]),
            direction: LatentVector(direction), calibration: .identity)))
    }
    if generated == 3 {
      return Op(
        id: id, actor: actor, payload: .viewBind(ViewBind(x: .bind("axis-0"), y: .bind("axis-1"))))
    }
    let nodeIndex = generated - 4
    if nodeIndex < nodeCount {
      let latent = Self.unitVector(&random, dimension: dimension, scale: 1)
      latents.append(latent)
      lastMove.append(nil)
      return Op(
        id: id, actor: actor,
        payload: .nodeCreate(
          NodeCreate(
            node: Self.nodeID(nodeIndex),
            text: "A typed sentence number \(nodeIndex) on the canvas.",
            latent: LatentVector(latent))))
    }
    let index = Int(random.next() % UInt64(nodeCount))
    let roll = random.next() % 100
    if roll < 30, let move = lastMove[index] {
      lastMove[index] = nil
      let textLatent = LatentVector(latents[index])
      return Op(
        id: id, actor: "server",
        payload: .nodeDecoded(
          NodeDecoded(
            node: Self.nodeID(index), answers: move,
            text: "A decoded sentence for node \(index) after its move.", textLatent: textLatent,
            fidelity: 0.82, source: .generated,
            runnersUp: [RunnerUp(text: "A runner-up sentence.", cosine: 0.79)],
            decoderVersion: "bench-decoder-1")))
    }
    if roll < 33 {
      return Op(
        id: id, actor: actor,
        payload: .nodeSetText(
          NodeSetText(
            node: Self.nodeID(index), text: "Edited text \(generated) for node \(index).",
            latent: LatentVector(latents[index]))))
    }
    let shake = noise[Int(random.next() % UInt64(noise.count))]
    var moved = latents[index]
    for d in 0..<dimension { moved[d] += shake[d] }
    let norm = VectorMath.norm(moved)
    for d in 0..<dimension { moved[d] /= norm }
    latents[index] = moved
    lastMove[index] = id
    return Op(
      id: id, actor: actor,
      payload: .nodeMove(
        NodeMove(
          node: Self.nodeID(index),
          coordinates: [
            AxisCoordinate(axis: "axis-0", value: Float(roll) / 50 - 1),
            AxisCoordinate(axis: "axis-1", value: 0.25),
          ], latent: LatentVector(moved))))
  }

  static func nodeID(_ index: Int) -> NodeID { NodeID("node-\(index)") }

  private static func unitVector(_ random: inout SplitMix64, dimension: Int, scale: Float)
    -> [Float]
  {
    var v = (0..<dimension).map { _ in Float(random.nextUnit() * 2 - 1) }
    let norm = VectorMath.norm(v)
    for d in 0..<dimension { v[d] *= scale / norm }
    return v
  }
}
