import Canvas
import CanvasTestSupport
import Testing

private func id(_ lamport: UInt64, _ replica: String = "r1") -> OpID {
  OpFixtures.id(lamport, replica)
}

/// The individual merge rules of DESIGN.md, one scenario each, checked in every order.
@Suite struct MergeRuleTests {
  /// Folds `ops` in every permutation and returns the one state they all agree on.
  private func fold(_ ops: [Op], sourceLocation: SourceLocation = #_sourceLocation) -> DocumentState
  {
    let states = permutations(ops).map { DocumentState(folding: $0) }
    for state in states.dropFirst() {
      #expect(state == states[0], "order changed the state", sourceLocation: sourceLocation)
    }
    return states[0]
  }

  private func permutations(_ ops: [Op]) -> [[Op]] {
    guard ops.count > 1 else { return [ops] }
    return ops.indices.flatMap { i -> [[Op]] in
      var rest = ops
      let head = rest.remove(at: i)
      return permutations(rest).map { [head] + $0 }
    }
  }

  @Test func latestMoveWinsTheLatent() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1, "a")),
      OpFixtures.move("n", at: id(2, "a"), latent: 0.2),
      OpFixtures.move("n", at: id(2, "b"), latent: 0.7),
    ])
    #expect(state.node("n")?.latent == OpFixtures.latent(0.7))
    #expect(state.node("n")?.latentWrite == id(2, "b"))
  }

  @Test func moveWithoutDecodeKeepsOlderText() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.move("n", at: id(2), latent: 0.2),
    ])
    #expect(state.node("n")?.text == "hello")
    #expect(state.node("n")?.isTextStale == true)
  }

  @Test func decodeOfTheLatestMoveShows() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.move("n", at: id(2), latent: 0.2),
      OpFixtures.decoded("n", answers: id(2), "moved text", at: id(3, "server")),
    ])
    #expect(state.node("n")?.text == "moved text")
    #expect(state.node("n")?.decode?.decoderVersion == "test-1")
    #expect(state.node("n")?.isTextStale == false)
  }

  @Test func decodeOfASupersededMoveNeverShowsOverANewerDecodedMove() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.move("n", at: id(2), latent: 0.2),
      OpFixtures.move("n", at: id(4), latent: 0.4),
      OpFixtures.decoded("n", answers: id(4), "newer", at: id(5, "server")),
      OpFixtures.decoded("n", answers: id(2), "older", at: id(6, "server")),
    ])
    #expect(state.node("n")?.text == "newer")
  }

  @Test func newerTypingBeatsAnOlderMovesDecode() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.move("n", at: id(2), latent: 0.2),
      OpFixtures.setText("n", "typed later", at: id(3), latent: 0.6),
      OpFixtures.decoded("n", answers: id(2), "decoded", at: id(4, "server")),
    ])
    #expect(state.node("n")?.text == "typed later")
    #expect(state.node("n")?.latent == OpFixtures.latent(0.6))
  }

  @Test func deleteIsATombstone() {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.delete("n", at: id(2)),
      OpFixtures.move("n", at: id(3), latent: 0.2),
    ])
    #expect(state.node("n") == nil)
    #expect(state.isDeleted("n"))
    #expect(state.nodes.isEmpty)
  }

  @Test func opsBeforeTheCreateAreHeld() {
    var state = DocumentState()
    state.apply(OpFixtures.move("n", at: id(3), latent: 0.2))
    state.apply(OpFixtures.decoded("n", answers: id(3), "moved", at: id(4, "server")))
    #expect(state.node("n") == nil)
    state.apply(OpFixtures.create("n", "hello", at: id(1)))
    #expect(state.node("n")?.text == "moved")
    #expect(state.node("n")?.latent == OpFixtures.latent(0.2))
  }

  @Test func textlessCreateWaitsForItsDecode() {
    let create = Op(
      id: id(1), actor: "server",
      payload: .nodeCreate(
        NodeCreate(
          node: "m", text: nil, latent: OpFixtures.latent(0.4),
          origin: NodeOrigin(kind: .mixed, parents: ["a", "b"]))))
    let before = DocumentState(folding: [create])
    #expect(before.node("m")?.text == nil)
    let after = fold([
      create, OpFixtures.decoded("m", answers: id(1), "a mix", at: id(2, "server")),
    ])
    #expect(after.node("m")?.text == "a mix")
    #expect(after.node("m")?.origin.parents == ["a", "b"])
  }

  @Test func axisFieldsAreIndependentRegisters() {
    let update = Op(
      id: id(3), actor: "t", payload: .axisUpdate(AxisUpdate(axis: "s", name: "Mood")))
    let olderDirection = Op(
      id: id(2), actor: "t",
      payload: .axisUpdate(AxisUpdate(axis: "s", direction: OpFixtures.latent(0.1))))
    let state = fold([OpFixtures.axis("s", name: "Sentiment", at: id(1)), update, olderDirection])
    #expect(state.axis("s")?.name == "Mood")
    #expect(state.axis("s")?.direction == OpFixtures.latent(0.1))
    #expect(state.axis("s")?.poles.positive == "happy")
  }

  @Test func viewBindingToADeletedAxisReadsUnbound() {
    let state = fold([
      OpFixtures.axis("s", name: "Sentiment", at: id(1)),
      OpFixtures.axis("l", name: "Length", at: id(2)),
      Op(id: id(3), actor: "t", payload: .viewBind(ViewBind(x: .bind("s"), y: .bind("l")))),
      Op(id: id(4), actor: "t", payload: .axisDelete(AxisDelete(axis: "l"))),
    ])
    #expect(state.view == ViewBindings(x: "s", y: nil))
  }

  @Test func laterClearBeatsEarlierBind() {
    let state = fold([
      OpFixtures.axis("s", name: "Sentiment", at: id(1)),
      Op(id: id(2), actor: "t", payload: .viewBind(ViewBind(x: .bind("s")))),
      Op(id: id(3, "b"), actor: "t", payload: .viewBind(ViewBind(x: .clear))),
    ])
    #expect(state.view.x == nil)
  }

  @Test func fidelityIsTheCosineOfLatentAndTextLatent() throws {
    let state = fold([
      OpFixtures.create("n", "hello", at: id(1)),
      OpFixtures.move("n", at: id(2), latent: 0.2),
      OpFixtures.decoded("n", answers: id(2), "moved", at: id(3, "server")),
    ])
    let node = try #require(state.node("n"))
    let a = node.latent.floats
    let b = try #require(node.textLatent).floats
    let dot = zip(a, b).map(*).reduce(0, +)
    let expected =
      dot
      / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
    #expect(abs(try #require(node.fidelity) - expected) < 1e-5)
  }
}

@Suite struct MapMergeTests {
  private func layout(_ run: OpID?, _ positions: [(String, Float)]) -> ViewLayout {
    ViewLayout(
      run: run, method: .umap, params: .object([:]),
      positions: positions.map { MapPosition(node: NodeID($0.0), x: $0.1, y: -$0.1) })
  }

  @Test func placementsOverrideTheirLayoutAndDieWithIt() {
    let first = OpFixtures.id(10, "server")
    let second = OpFixtures.id(20, "server")
    let ops = [
      Op(id: first, actor: "s", payload: .viewLayout(layout(nil, [("a", 1), ("b", 2)]))),
      Op(
        id: OpFixtures.id(11, "server"), actor: "s", payload: .viewLayout(layout(first, [("c", 3)]))
      ),
      Op(
        id: OpFixtures.id(12, "server"), actor: "s", payload: .viewLayout(layout(first, [("a", 5)]))
      ),
    ]
    let state = DocumentState(folding: ops)
    #expect(state.map.positions[NodeID("a")]?.x == 5)
    #expect(state.map.positions[NodeID("c")]?.x == 3)
    #expect(state.map.positions[NodeID("b")]?.x == 2)
    // A new full layout replaces the map; a late placement into the old one is ignored,
    // whatever order they arrive in.
    let rerun = Op(id: second, actor: "s", payload: .viewLayout(layout(nil, [("a", 7)])))
    let late = Op(
      id: OpFixtures.id(25, "server"), actor: "s", payload: .viewLayout(layout(first, [("b", 9)])))
    let early = Op(
      id: OpFixtures.id(21, "server"), actor: "s", payload: .viewLayout(layout(second, [("d", 4)])))
    let all = ops + [rerun, late, early]
    let expected = DocumentState(folding: all)
    #expect(expected.map.run == second)
    #expect(expected.map.positions.keys.map(\.rawValue).sorted() == ["a", "d"])
    #expect(expected.map.positions[NodeID("a")]?.x == 7)
    for seed in 0..<20 {
      var random = SeededRandom(seed: UInt64(seed))
      #expect(DocumentState(folding: all.shuffled(using: &random)) == expected)
    }
  }

  @Test func renderedMapSkipsDeletedNodes() {
    let run = OpFixtures.id(3, "server")
    let state = DocumentState(folding: [
      OpFixtures.create("a", "alpha", at: OpFixtures.id(1)),
      OpFixtures.create("b", "beta", at: OpFixtures.id(2)),
      Op(id: run, actor: "s", payload: .viewLayout(layout(nil, [("a", 1), ("b", 2)]))),
      OpFixtures.delete("b", at: OpFixtures.id(4)),
    ])
    let map = state.renderedMap
    #expect(map?.run == run)
    #expect(map?.positions == ["a": [1, -1]])
  }

  @Test func layoutsAreValidated() {
    let validator = OpValidator()
    var bad = layout(nil, [("a", .nan)])
    #expect(throws: ValidationError.self) {
      try validator.validateContent(Op(id: OpFixtures.id(1), actor: "s", payload: .viewLayout(bad)))
    }
    bad = ViewLayout(run: nil, method: .tsne, params: .null, positions: [])
    #expect(throws: ValidationError.malformed("params must be a JSON object")) {
      try validator.validateContent(Op(id: OpFixtures.id(1), actor: "s", payload: .viewLayout(bad)))
    }
  }
}
