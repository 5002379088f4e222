import Canvas
import Latent

/// Generates what up to 4 replicas might log concurrently: each replica acts on its own
/// partial view (it has received only some ops), keeps a Lamport clock, and emits creates,
/// moves, text edits, decodes, deletes, axis edits, view binds, map layouts and placements
/// (some into a layout the replica has not seen, or one already replaced), and op.apply
/// records. Node
/// ids sometimes collide across replicas, decodes sometimes answer superseded moves, and
/// ops sometimes target entities the replica has not seen created.
public struct ConcurrentHistory {
  /// Every distinct op generated.
  public private(set) var ops: [Op] = []

  /// Generates `count` ops from `replicas` replicas, reproducibly for `seed`.
  public init(seed: UInt64, replicas replicaCount: Int = 4, count: Int = 120, dimension: Int = 8) {
    var random = SeededRandom(seed: seed)
    let names = (0..<replicaCount).map { ReplicaID("replica-\($0)") }
    var clocks = [UInt64](repeating: 0, count: replicaCount)
    var views = [DocumentState](repeating: DocumentState(), count: replicaCount)
    var seenCounts = [Int](repeating: 0, count: replicaCount)
    var moves: [[(node: NodeID, id: OpID)]] = Array(repeating: [], count: replicaCount)

    while ops.count < count {
      let r = Int.random(in: 0..<replicaCount, using: &random)
      // Receive a random prefix-free sample of what others logged.
      if !ops.isEmpty && Bool.random(using: &random) {
        for _ in 0..<Int.random(in: 1...4, using: &random) {
          let op = ops[Int.random(in: 0..<ops.count, using: &random)]
          views[r].apply(op)
          clocks[r] = max(clocks[r], op.id.lamport)
          if case .nodeMove(let m) = op.payload { moves[r].append((m.node, op.id)) }
          seenCounts[r] += 1
        }
      }
      clocks[r] += 1
      let id = OpID(lamport: clocks[r], replica: names[r])
      let knownNodes = views[r].nodeRecords.keys.sorted()
      let knownAxes = views[r].axisRecords.keys.sorted()
      func anyNode() -> NodeID {
        if knownNodes.isEmpty || Int.random(in: 0..<10, using: &random) == 0 {
          return NodeID("n\(Int.random(in: 0..<6, using: &random))")
        }
        return knownNodes[Int.random(in: 0..<knownNodes.count, using: &random)]
      }
      func anyAxis() -> AxisID {
        if knownAxes.isEmpty || Int.random(in: 0..<5, using: &random) == 0 {
          return AxisID("a\(Int.random(in: 0..<3, using: &random))")
        }
        return knownAxes[Int.random(in: 0..<knownAxes.count, using: &random)]
      }
      let latent = random.latent(dimension: dimension)
      let payload: OpPayload
      switch Int.random(in: 0..<100, using: &random) {
      case 0..<15:
        let node = NodeID("n\(Int.random(in: 0..<6, using: &random))")
        let typed = Int.random(in: 0..<4, using: &random) > 0
        payload = .nodeCreate(
          NodeCreate(
            node: node, text: typed ? "typed \(id)" : nil, latent: latent,
            origin: typed ? .typed : NodeOrigin(kind: .mixed, parents: [anyNode()])))
      case 15..<45:
        let node = anyNode()
        moves[r].append((node, id))
        payload = .nodeMove(
          NodeMove(
            node: node, coordinates: [AxisCoordinate(axis: anyAxis(), value: 0.1)], latent: latent))
      case 45..<55:
        payload = .nodeSetText(NodeSetText(node: anyNode(), text: "edit \(id)", latent: latent))
      case 55..<75 where !moves[r].isEmpty:
        let target = moves[r][Int.random(in: 0..<moves[r].count, using: &random)]
        payload = .nodeDecoded(
          NodeDecoded(
            node: target.node, answers: target.id, text: "decoded \(id)", textLatent: latent,
            fidelity: 0.5, source: .generated, decoderVersion: "v1"))
      case 75..<80:
        payload = .nodeDelete(NodeDelete(node: anyNode()))
      case 80..<86:
        payload = .axisCreate(
          AxisCreate(
            axis: anyAxis(), name: "axis \(id)", poles: AxisPoles(negative: "-", positive: "+"),
            provider: "examples", params: .null, direction: latent, calibration: .identity))
      case 86..<91:
        payload = .axisUpdate(
          AxisUpdate(
            axis: anyAxis(), name: Bool.random(using: &random) ? "renamed \(id)" : nil,
            direction: Bool.random(using: &random) ? latent : nil))
      case 91..<93:
        payload = .axisDelete(AxisDelete(axis: anyAxis()))
      case 93..<97:
        payload = .viewBind(
          ViewBind(
            x: Bool.random(using: &random) ? .bind(anyAxis()) : nil,
            y: Bool.random(using: &random) ? .clear : .bind(anyAxis())))
      case 97:
        // Two names for the same few features race: last writer wins per feature.
        payload = .featureName(
          FeatureName(
            dictionary: "d", feature: Int.random(in: 0..<3, using: &random),
            name: Bool.random(using: &random) ? "name \(id)" : ""))
      case 98:
        let positions = (0..<Int.random(in: 1...3, using: &random)).map { _ in
          MapPosition(
            node: anyNode(), x: Float.random(in: -10...10, using: &random),
            y: Float.random(in: -10...10, using: &random))
        }
        let run: OpID? =
          switch Int.random(in: 0..<3, using: &random) {
          case 0: nil
          case 1: views[r].map.run ?? OpID(lamport: max(1, clocks[r] / 2), replica: names[r])
          default:
            OpID(lamport: UInt64.random(in: 1...clocks[r], using: &random), replica: names[0])
          }
        payload = .viewLayout(
          ViewLayout(
            run: run, method: Bool.random(using: &random) ? .umap : .tsne,
            params: .object(["seed": .number(1)]), positions: positions))
      case 99 where Bool.random(using: &random):
        // Owners of replicas race to restrict (or free) the document's plugins.
        payload = .pluginsAllow(
          PluginsAllow(
            plugins: Bool.random(using: &random) ? nil : ["builtin-ops", "plugin-\(id.lamport)"]))
      default:
        payload = .opApply(
          OpApply(
            plugin: "builtin", operation: "mix", params: .object(["t": .number(0.5)]),
            inputs: [anyNode()], outputs: [anyNode()]))
      }
      let op = Op(id: id, actor: "user-\(r)", payload: payload)
      views[r].apply(op)
      ops.append(op)
    }
  }

  /// The ops in a random order, with some of them delivered more than once.
  public func delivery(seed: UInt64) -> [Op] {
    var random = SeededRandom(seed: seed)
    var sequence = ops
    for _ in 0..<(ops.count / 5) {
      sequence.append(ops[Int.random(in: 0..<ops.count, using: &random)])
    }
    sequence.shuffle(using: &random)
    return sequence
  }
}
