import Canvas
import CanvasStore
import CanvasTestSupport
import Foundation
import Latent
import PluginHost
import Testing

@testable import CanvasServer

/// Services with no encoder, pack or plugin: texts embed to a fixed vector, axes and
/// operations come from what the test sets.
final class FakeServices: RoomServices {
  var embedded: [String] = []
  var axis: BuiltAxis?
  var run: OperationRun?

  func embed(_ text: String) throws(ProtocolError) -> LatentVector {
    embedded.append(text)
    return OpFixtures.latent(0.9)
  }

  func buildAxis(_ draft: ClientOpPayload.AxisDraft, params: JSONValue) throws(ProtocolError)
    -> BuiltAxis
  {
    guard let axis else { throw .unknownAxis("no fake axis") }
    return axis
  }

  func runOperation(
    _ name: String, inputs: [[Float]], params: JSONValue, axes: [OperationAxis]
  ) throws(ProtocolError) -> OperationRun {
    guard let run else { throw .unavailable("no fake operation") }
    return run
  }
}

/// The room core's events other than a commit result: a client's op, an op.apply, a decode
/// result, and members joining, sharing presence and leaving.
@Suite struct RoomCoreEventTests {
  func core() -> RoomCore {
    var core = RoomCore(state: DocumentState(), head: 0)
    core.add(1, replica: "r1", actor: "alice")
    core.add(2, replica: "r2", actor: "bob")
    return core
  }

  /// The frame types of the sends among `actions`, with recipients.
  func sends(_ actions: [RoomCore.Action]) -> [(String, [ConnectionID])] {
    actions.compactMap {
      let data: Data
      let to: [ConnectionID]
      switch $0 {
      case .send(let d, let t): (data, to) = (d, t)
      case .sendCoalesced(let d, let t, _): (data, to) = (d, t)
      default: return nil
      }
      guard let frame = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let type = frame["t"] as? String
      else { return nil }
      return (type, to)
    }
  }

  func appended(_ actions: [RoomCore.Action]) -> [RoomCore.Submission] {
    actions.compactMap { if case .append(let s) = $0 { s } else { nil } }
  }

  @Test func aTypedTextIsEmbeddedStampedAndAppendedForItsSender() {
    var core = core()
    let services = FakeServices()
    let request = ClientOp(
      id: OpFixtures.id(1, "r1"),
      payload: .nodeCreate(.init(node: "n", text: "hello", latent: nil, origin: nil)))
    let actions = core.receive(request, from: 1, using: services)
    let submission = try! #require(appended(actions).first)
    #expect(services.embedded == ["hello"])
    #expect(submission.client == 1)
    #expect(submission.ops.first?.actor == "alice", "the server stamps the hello's actor")
    guard case .nodeCreate(let create)? = submission.ops.first?.payload else {
      Issue.record("not a node.create")
      return
    }
    #expect(create.latent == OpFixtures.latent(0.9))
    #expect(create.origin == .typed)
  }

  @Test func anOpUnderSomeoneElsesReplicaIsNackedAndNotAppended() {
    var core = core()
    let request = ClientOp(
      id: OpFixtures.id(1, "r2"),
      payload: .nodeCreate(.init(node: "n", text: "hi", latent: nil, origin: nil)))
    let actions = core.receive(request, from: 1, using: FakeServices())
    #expect(appended(actions).isEmpty)
    #expect(sends(actions).map(\.0) == ["nack"])
    #expect(sends(actions).map(\.1) == [[1]])
  }

  @Test func aMoveToAnUnknownNodeIsRefusedAndAStrangersOpIsDropped() {
    var core = core()
    let move = ClientOp(
      id: OpFixtures.id(1, "r1"),
      payload: .nodeMove(.init(node: "ghost", coordinates: [.init(axis: "a", value: 1)])))
    #expect(sends(core.receive(move, from: 1, using: FakeServices())).map(\.0) == ["nack"])
    #expect(core.receive(move, from: 9, using: FakeServices()).isEmpty)
  }

  @Test func anUpdatingOperationLogsItsResultsAsMovesOfItsInputs() {
    var core = core()
    core.state.apply(OpFixtures.create("a", "one", at: OpFixtures.id(1, "r2")))
    let services = FakeServices()
    services.run = OperationRun(
      output: OperationOutput(kind: .nodes, vectors: [OpFixtures.latent(0.4).floats]),
      plugin: "fake", effect: .updatesInputs)
    let request = ClientOp(
      id: OpFixtures.id(5, "r1"),
      payload: .opApply(.init(operation: "nudge", params: nil, inputs: ["a"])))
    let submission = try! #require(appended(core.receive(request, from: 1, using: services)).first)
    #expect(submission.gatedOnFirst)
    #expect(submission.ops.map(\.kind) == [.opApply, .nodeMove])
    #expect(submission.ops[1].id.lamport > 5, "results sort after the op.apply")
    #expect(submission.ops[1].id.replica == RoomCore.serverReplica)
  }

  @Test func anOperationsIntentsReachTheDecodesOfItsResults() {
    var core = core()
    core.state.apply(OpFixtures.create("a", "one", at: OpFixtures.id(1, "r2")))
    let services = FakeServices()
    let intent = DecodeIntent(direction: OpFixtures.latent(1).floats, atLeast: 0.5)
    services.run = OperationRun(
      output: OperationOutput(kind: .nodes, vectors: [OpFixtures.latent(0.4).floats]),
      plugin: "fake", effect: .updatesInputs, intents: [[intent]])
    let request = ClientOp(
      id: OpFixtures.id(5, "r1"),
      payload: .opApply(.init(operation: "steer", params: nil, inputs: ["a"])))
    let submission = try! #require(appended(core.receive(request, from: 1, using: services)).first)
    #expect(submission.intents == [submission.ops[1].id: [intent]])
    let actions = core.settle(
      submission, .success([.committed(seq: 2), .committed(seq: 3)]), assigned: core.serverLamport)
    let decodes = actions.compactMap { action -> [DecodeIntent]? in
      if case .decode(let node, _, _, let intents) = action, node == "a" { intents } else { nil }
    }
    #expect(decodes == [[intent]])
  }

  @Test func aCreatingOperationMakesNewNodesOfItsDeclaredOrigin() {
    var core = core()
    core.state.apply(OpFixtures.create("a", "one", at: OpFixtures.id(1, "r2")))
    core.state.apply(OpFixtures.create("b", "two", at: OpFixtures.id(2, "r2")))
    let services = FakeServices()
    services.run = OperationRun(
      output: OperationOutput(kind: .nodes, vectors: [OpFixtures.latent(0.4).floats]),
      plugin: "fake", effect: .createsNodes(.mixed))
    let request = ClientOp(
      id: OpFixtures.id(5, "r1"),
      payload: .opApply(.init(operation: "mix", params: nil, inputs: ["a", "b"])))
    let submission = try! #require(appended(core.receive(request, from: 1, using: services)).first)
    guard case .nodeCreate(let created) = submission.ops[1].payload else {
      Issue.record("not a node.create")
      return
    }
    #expect(created.text == nil, "decoded after the commit")
    #expect(created.origin == NodeOrigin(kind: .mixed, parents: ["a", "b"]))
  }

  @Test func aFailedOperationNacksAndLeavesTheServerClockAlone() {
    var core = core()
    core.state.apply(OpFixtures.create("a", "one", at: OpFixtures.id(1, "r2")))
    let before = core.serverLamport
    let request = ClientOp(
      id: OpFixtures.id(5, "r1"),
      payload: .opApply(.init(operation: "nudge", params: nil, inputs: ["a"])))
    let actions = core.receive(request, from: 1, using: FakeServices())
    #expect(sends(actions).map(\.0) == ["nack"])
    #expect(core.serverLamport == before)
  }

  @Test func aDecodeForTheLatestWriteIsLoggedAndASupersededOneIsNot() {
    var core = core()
    let create = OpFixtures.create("n", nil, at: OpFixtures.id(1, "r1"))
    let move = OpFixtures.move("n", at: OpFixtures.id(2, "r1"), latent: 0.7)
    core.state.apply(create)
    core.state.apply(move)
    let found = DecodeResult(
      text: "decoded", textLatent: OpFixtures.latent(0.7).floats, fidelity: 0.9,
      source: .generated, runnersUp: [])
    let stale = core.decoded(node: "n", answers: create.id, result: found, decoderVersion: "v")
    #expect(stale == [.superseded])
    let fresh = core.decoded(node: "n", answers: move.id, result: found, decoderVersion: "v")
    let submission = try! #require(appended(fresh).first)
    guard case .nodeDecoded(let decoded) = submission.ops.first?.payload else {
      Issue.record("not a node.decoded")
      return
    }
    #expect(decoded.answers == move.id)
    #expect(submission.client == nil, "server-authored: broadcast to everyone")
    #expect(
      core.decoded(node: "gone", answers: move.id, result: found, decoderVersion: "v") == [
        .superseded
      ])
  }

  @Test func aJoinerCatchesUpFromItsSeqOrBySnapshotThenGetsPresence() {
    var core = core()
    core.head = 10
    #expect(core.catchUp(for: 1, sinceSeq: 4) == .ops(from: 5, through: 10))
    #expect(core.catchUp(for: 1, sinceSeq: 11) == .snapshot, "a seq from another history")
    #expect(core.catchUp(for: 1, sinceSeq: nil) == .snapshot)
    #expect(core.catchUp(for: 7, sinceSeq: nil) == nil, "not a member")
    _ = core.joined(2, doc: "d")
    let bobsPresence = ServerMessage.PresenceRelay(from: 2, actor: "bob")
    #expect(sends(core.presence(bobsPresence, from: 2)).map(\.1) == [[]], "nobody else joined yet")
    let actions = core.joined(1, doc: "d")
    #expect(sends(actions).map(\.0) == ["presence", "joined"])
    #expect(core.joined == [1, 2])
  }

  @Test func presenceOutlivesALeaveUntilItExpiresUnlessTheReplicaCameBack() {
    var core = core()
    _ = core.joined(1, doc: "d")
    _ = core.joined(2, doc: "d")
    _ = core.presence(.init(from: 2, actor: "bob", dragging: "n1"), from: 2)
    let leave = core.leave(2)
    #expect(sends(leave).map(\.0) == ["presence"], "the drag ended with the connection")
    #expect(sends(leave).map(\.1) == [[1]])
    #expect(leave.last == .expirePresence("r2", actor: "bob", connection: 2))
    #expect(core.presence["r2"]?.dragging == nil, "a later joiner never sees the drag")
    #expect(core.leave(7).isEmpty, "not a member")
    // Back under a new connection before the expiry: nothing is said.
    core.add(3, replica: "r2", actor: "bob")
    #expect(core.presenceExpired("r2", actor: "bob", connection: 2).isEmpty)
    // Gone for good: the others hear it once.
    _ = core.leave(3)
    let expired = core.presenceExpired("r2", actor: "bob", connection: 3)
    #expect(sends(expired).map(\.0) == ["presence"])
    #expect(sends(expired).map(\.1) == [[1]])
    #expect(core.presenceExpired("r2", actor: "bob", connection: 3).isEmpty)
  }

  @Test func earlyStagesAreSentWhileTheyImproveAndOnlyForTheLatestMove() {
    var core = core()
    _ = core.joined(1, doc: "d")
    _ = core.joined(2, doc: "d")
    let create = OpFixtures.create("n", "hello", at: OpFixtures.id(1, "r1"))
    let move = OpFixtures.move("n", at: OpFixtures.id(2, "r1"), latent: 0.7)
    core.state.apply(create)
    core.state.apply(move)
    func stage(_ kind: DecodeStage, _ fidelity: Float) -> StagedText {
      StagedText(stage: kind, text: "\(kind)", fidelity: fidelity, source: .generated)
    }
    let bank = core.staged(node: "n", answers: move.id, stage: stage(.bank, 0.6))
    #expect(sends(bank).map(\.0) == ["decode.stage"])
    #expect(sends(bank).map(\.1) == [[1, 2]], "everyone joined, the mover too")
    #expect(core.staged(node: "n", answers: move.id, stage: stage(.greedy, 0.55)).isEmpty)
    #expect(sends(core.staged(node: "n", answers: move.id, stage: stage(.greedy, 0.7))).count == 1)
    #expect(
      core.staged(node: "n", answers: create.id, stage: stage(.greedy, 0.9)).isEmpty,
      "a superseded move's stage is dropped")
    let found = DecodeResult(
      text: "final", textLatent: OpFixtures.latent(0.7).floats, fidelity: 0.8,
      source: .generated, runnersUp: [])
    let submission = try! #require(
      appended(core.decoded(node: "n", answers: move.id, result: found, decoderVersion: "v"))
        .first)
    #expect(core.shownStages["n"] == nil, "the final result replaces the provisional text")
    _ = core.settle(submission, .success([.committed(seq: 3)]), assigned: core.serverLamport)
    #expect(
      core.staged(node: "n", answers: move.id, stage: stage(.greedy, 0.95)).isEmpty,
      "nothing provisional after the logged result")
  }

  @Test func sweepTargetsLandOnEachCoordinateOfTheAxis() throws {
    var core = core()
    core.state.apply(OpFixtures.axis("mood", name: "Mood", at: OpFixtures.id(1, "r2")))
    var random = SplitMix64(seed: 3)
    let latent = LatentVector(
      LatentGeometry.normalized((0..<384).map { _ in Float(random.nextGaussian()) }))
    core.state.apply(
      Op(
        id: OpFixtures.id(2, "r2"), actor: "bob",
        payload: .nodeCreate(NodeCreate(node: "n", text: "t", latent: latent))))
    let axis = try #require(core.state.axis("mood"))
    let values: [Double] = [-1, 0, 1.5]
    let targets = try core.sweepTargets(node: "n", axis: "mood", values: values)
    for (target, value) in zip(targets, values) {
      let at = axis.calibration.coordinate(
        ofProjection: VectorMath.dot(target, axis.direction.floats))
      #expect(abs(Double(at) - value) < 1e-3)
    }
    #expect(throws: ProtocolError.self) {
      try core.sweepTargets(node: "ghost", axis: "mood", values: [0])
    }
    #expect(throws: ProtocolError.self) {
      try core.sweepTargets(node: "n", axis: "nope", values: [0])
    }
  }
}
