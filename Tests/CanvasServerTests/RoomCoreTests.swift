import Canvas
import CanvasStore
import CanvasTestSupport
import Foundation
import Latent
import Testing

@testable import CanvasServer

/// The room's decisions with no store, no queue, no sockets and no sleeps: events in,
/// actions out.
@Suite struct RoomCoreTests {
  /// A core with alice (1) and bob (2) joined and carol (3) still joining.
  func core() -> RoomCore {
    var core = RoomCore(state: DocumentState(), head: 0)
    core.members = [
      1: .init(replica: "r1", actor: "alice", joined: true),
      2: .init(replica: "r2", actor: "bob", joined: true),
      3: .init(replica: "r3", actor: "carol", joined: false),
    ]
    return core
  }

  /// The sends of `actions` as (frame type, recipients), in order.
  func sends(_ actions: [RoomCore.Action]) -> [(String, [ConnectionID])] {
    actions.compactMap {
      guard case .send(let data, let to) = $0,
        let frame = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let type = frame["t"] as? String
      else { return nil }
      return (type, to)
    }
  }

  @Test func aCommittedClientOpIsAckedAndSentToJoinedPeersOnly() {
    var core = core()
    let op = OpFixtures.create("n", "hello", at: OpFixtures.id(1, "r1"))
    let actions = core.settle(
      RoomCore.Submission(ops: [op], client: 1), .success([.committed(seq: 1)]), assigned: 0)
    let sent = sends(actions)
    #expect(sent.map(\.0) == ["ack", "op"])
    #expect(sent.map(\.1) == [[1], [2]], "ack to the sender; the op to bob, not carol")
    #expect(core.head == 1)
    #expect(core.state.node("n")?.text == "hello")
    #expect(!actions.contains { if case .decode = $0 { true } else { false } })
  }

  @Test func aTextlessWriteIsBroadcastToEveryoneAndDecoded() {
    var core = core()
    let op = core.serverOp(
      .nodeCreate(NodeCreate(node: "m", text: nil, latent: OpFixtures.latent(0.3))))
    let actions = core.settle(
      RoomCore.Submission(ops: [op]), .success([.committed(seq: 4)]), assigned: core.serverLamport)
    #expect(sends(actions).map(\.1) == [[1, 2]])
    #expect(actions.contains(.decode(node: "m", latent: OpFixtures.latent(0.3), answers: op.id)))
    #expect(core.head == 4)
  }

  @Test func refusalsAndDuplicatesAnswerOnlyTheSender() {
    var core = core()
    let op = OpFixtures.delete("ghost", at: OpFixtures.id(2, "r1"))
    let refused = core.settle(
      RoomCore.Submission(ops: [op], client: 1), .success([.rejected(.unknownNode("ghost"))]),
      assigned: 0)
    #expect(sends(refused).map(\.0) == ["nack"])
    #expect(sends(refused).map(\.1) == [[1]])
    let again = core.settle(
      RoomCore.Submission(ops: [op], client: 1), .success([.duplicate(seq: 7)]), assigned: 0)
    #expect(sends(again).map(\.0) == ["ack"])
    #expect(core.head == 0, "nothing new was logged")
  }

  @Test func aFailedCommitNacksReloadsAndGivesBackTheServerClock() {
    var core = core()
    let before = core.serverLamport
    let apply = OpFixtures.create("n", "x", at: OpFixtures.id(1, "r1"))
    let result = core.serverOp(
      .nodeCreate(NodeCreate(node: "r", text: nil, latent: OpFixtures.latent(0.2))))
    let actions = core.settle(
      RoomCore.Submission(
        ops: [apply, result], gatedOnFirst: true, client: 1, lamportBefore: before),
      .failure(.closed), assigned: core.serverLamport)
    #expect(sends(actions).map(\.0) == ["nack"])
    #expect(actions.last == .reload)
    #expect(core.serverLamport == before)
  }

  @Test func resultsOfARefusedApplyAreDroppedQuietly() {
    var core = core()
    let apply = OpFixtures.create("n", "x", at: OpFixtures.id(1, "r1"))
    let result = core.serverOp(
      .nodeCreate(NodeCreate(node: "r", text: nil, latent: OpFixtures.latent(0.2))))
    let actions = core.settle(
      RoomCore.Submission(ops: [apply, result], gatedOnFirst: true, client: 1, lamportBefore: 0),
      .success([.rejected(.nodeExists("n")), .rejected(.firstNotCommitted)]),
      assigned: core.serverLamport)
    #expect(sends(actions).map(\.0) == ["nack"])
    #expect(!actions.contains { if case .warn = $0 { true } else { false } })
    #expect(core.serverLamport == 0)
  }

  /// The intents of the decode a committed op asked for.
  func decodeIntents(_ actions: [RoomCore.Action]) -> [DecodeIntent]? {
    for action in actions {
      if case .decode(_, _, _, let intents) = action { return intents }
    }
    return nil
  }

  @Test func aClientsAxisMoveAsksItsDecodeToFollowTheAxis() throws {
    var core = core()
    core.state.apply(OpFixtures.axis("s", name: "sentiment", at: OpFixtures.id(1, "r1")))
    core.state.apply(OpFixtures.create("n", "hello", at: OpFixtures.id(2, "r1"), latent: 0.5))
    let move = OpFixtures.move("n", at: OpFixtures.id(3, "r1"), latent: 0.7, axis: "s")
    let actions = core.settle(
      RoomCore.Submission(ops: [move], client: 1), .success([.committed(seq: 3)]), assigned: 0)
    let intents = try #require(decodeIntents(actions))
    #expect(intents.count == 1)
    #expect(intents.allSatisfy { $0.isMet(by: OpFixtures.latent(0.7).floats) })
    #expect(!intents.allSatisfy { $0.isMet(by: OpFixtures.latent(0.5).floats) })
    // A move naming no axis, and a server-authored one, ask nothing beyond closeness.
    let plain = OpFixtures.move("n", at: OpFixtures.id(4, "r1"), latent: 0.2)
    let plainActions = core.settle(
      RoomCore.Submission(ops: [plain], client: 1), .success([.committed(seq: 4)]), assigned: 0)
    #expect(decodeIntents(plainActions) == [])
    let server = core.serverOp(
      .nodeMove(
        NodeMove(
          node: "n", coordinates: [AxisCoordinate(axis: "s", value: 1)],
          latent: OpFixtures.latent(0.9))))
    let serverActions = core.settle(
      RoomCore.Submission(ops: [server]), .success([.committed(seq: 5)]),
      assigned: core.serverLamport)
    #expect(decodeIntents(serverActions) == [])
  }

  @Test func staleNodesAreDecodedAgain() {
    var core = core()
    let create = OpFixtures.create("n", "hello", at: OpFixtures.id(1, "r1"))
    let move = OpFixtures.move("n", at: OpFixtures.id(2, "r1"), latent: 0.7)
    core.state.apply(create)
    core.state.apply(move)
    #expect(core.staleDecodes.count == 1)
  }
}
