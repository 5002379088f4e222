import Canvas
import CanvasStore
import CanvasTestSupport
import Foundation
import Latent
import Testing

@testable import CanvasServer

/// Maps in the room core: a map op.apply becomes a job, its result one gated append, and
/// later latent writes are placed into the map; a drop on the map moves the latent.
@Suite struct RoomCoreMapTests {
  let events = RoomCoreEventTests()

  /// A core with `count` committed nodes n0… whose latents differ.
  func core(nodes count: Int) -> RoomCore {
    var random = SeededRandom(seed: 3)
    let ops = (0..<count).map { i in
      Op(
        id: OpFixtures.id(UInt64(i + 1), "r1"), actor: "alice",
        payload: .nodeCreate(
          NodeCreate(node: NodeID("n\(i)"), text: "t\(i)", latent: random.latent(), origin: .typed))
      )
    }
    var core = RoomCore(state: DocumentState(folding: ops), head: Int64(count))
    core.add(1, replica: "r1", actor: "alice")
    core.add(2, replica: "r2", actor: "bob")
    return core
  }

  func apply(_ operation: String, lamport: UInt64, params: JSONValue? = nil) -> ClientOp {
    ClientOp(
      id: OpFixtures.id(lamport, "r1"),
      payload: .opApply(.init(operation: operation, params: params, inputs: nil)))
  }

  func mapJob(_ actions: [RoomCore.Action]) -> RoomCore.MapJob? {
    actions.lazy.compactMap { if case .computeMap(let job) = $0 { job } else { nil } }.first
  }

  func placementJob(_ actions: [RoomCore.Action]) -> RoomCore.PlacementJob? {
    actions.lazy.compactMap { if case .placeOnMap(let job) = $0 { job } else { nil } }.first
  }

  /// Commits every op of `submission` at consecutive seqs.
  func commit(_ core: inout RoomCore, _ submission: RoomCore.Submission) -> [RoomCore.Action] {
    let outcomes = submission.ops.indices.map {
      AppendOutcome.committed(seq: core.head + 1 + Int64($0))
    }
    return core.settle(submission, .success(outcomes), assigned: core.serverLamport)
  }

  @Test func aMapIsComputedOffTheQueueAndLoggedWithTheApply() throws {
    var core = core(nodes: 5)
    let services = FakeServices()
    let actions = core.receive(apply("umap-layout", lamport: 10), from: 1, using: services)
    let job = try #require(mapJob(actions))
    #expect(job.nodes.count == 5 && job.method == .umap)
    // A second request while the first computes is refused.
    let again = core.receive(apply("tsne-layout", lamport: 11), from: 2, using: services)
    #expect(mapJob(again) == nil)
    #expect(events.sends(again).map(\.0) == ["nack"])
    let result = MapRunner.layout(job)
    let logged = core.mapComputed(job, result)
    let submission = try #require(events.appended(logged).first)
    #expect(submission.gatedOnFirst && submission.client == 1)
    #expect(submission.ops.map(\.kind) == [.opApply, .viewLayout])
    guard case .viewLayout(let layout) = submission.ops[1].payload else { return }
    #expect(layout.run == nil && layout.positions.count == 5)
    guard case .object(let params) = layout.params else { return }
    #expect(params["seed"] == .number(42) && params["neighbors"] == .number(15))
    #expect(submission.ops[1].id.lamport > 10)
    _ = commit(&core, submission)
    #expect(core.state.renderedMap?.positions.count == 5)
    #expect(core.mapInFlight == nil)
  }

  @Test func mapRequestsAreCheckedFirst() {
    var small = core(nodes: 2)
    let services = FakeServices()
    let tooFew = small.receive(apply("umap-layout", lamport: 5), from: 1, using: services)
    #expect(mapJob(tooFew) == nil && events.sends(tooFew).map(\.0) == ["nack"])
    var core = core(nodes: 4)
    for params: JSONValue in [.object(["bogus": .number(1)]), .object(["neighbors": .string("x")])]
    {
      let job = mapJob(
        core.receive(apply("umap-layout", lamport: 6, params: params), from: 1, using: services))
      let result = MapRunner.layout(job!)
      guard case .failure = result else {
        Issue.record("bad params were accepted")
        return
      }
      #expect(events.sends(core.mapComputed(job!, result)).map(\.0) == ["nack"])
    }
  }

  @Test func laterWritesArePlacedIntoTheMapAndStalePlacementsDropped() throws {
    var core = core(nodes: 6)
    let services = FakeServices()
    let job = try #require(
      mapJob(core.receive(apply("umap-layout", lamport: 10), from: 1, using: services)))
    _ = commit(
      &core, try #require(events.appended(core.mapComputed(job, MapRunner.layout(job))).first))
    // A new node: its commit asks for a placement among the six.
    var random = SeededRandom(seed: 9)
    let create = Op(
      id: OpFixtures.id(20, "r1"), actor: "alice",
      payload: .nodeCreate(
        NodeCreate(node: "fresh", text: "new", latent: random.latent(), origin: .typed)))
    let afterCreate = commit(&core, RoomCore.Submission(ops: [create], client: 1))
    let placement = try #require(placementJob(afterCreate))
    #expect(placement.nodes == ["fresh"] && placement.referenceNodes.count == 6)
    let placedActions = core.placed(placement, MapRunner.place(placement))
    let placedOp = try #require(events.appended(placedActions).first?.ops.first)
    guard case .viewLayout(let layout) = placedOp.payload else { return }
    #expect(layout.run == core.state.map.run && layout.positions.map(\.node) == ["fresh"])
    _ = commit(&core, RoomCore.Submission(ops: [placedOp]))
    #expect(core.state.renderedMap?.positions["fresh"] != nil)
    // A placement for a latent that has since been replaced is not logged.
    let move = Op(
      id: OpFixtures.id(30, "r1"), actor: "alice",
      payload: .nodeMove(NodeMove(node: "fresh", coordinates: [], latent: random.latent())))
    _ = commit(&core, RoomCore.Submission(ops: [move], client: 1))
    #expect(events.appended(core.placed(placement, MapRunner.place(placement))).isEmpty)
  }

  @Test func aDropOnTheMapMovesTheLatentTowardsItsNeighbours() throws {
    var core = core(nodes: 6)
    let services = FakeServices()
    let job = try #require(
      mapJob(
        core.receive(
          apply("tsne-layout", lamport: 10, params: .object(["perplexity": .number(2)])), from: 1,
          using: services)))
    _ = commit(
      &core, try #require(events.appended(core.mapComputed(job, MapRunner.layout(job))).first))
    let target = try #require(core.state.map.positions["n3"])
    let drop = ClientOp(
      id: OpFixtures.id(40, "r1"),
      payload: .nodeMove(.init(node: "n0", coordinates: [], map: .init(x: target.x, y: target.y))))
    let submission = try #require(
      events.appended(core.receive(drop, from: 1, using: services)).first)
    guard case .nodeMove(let move) = submission.ops.first?.payload else { return }
    let latent = try #require(move.latent).floats
    let neighbour = try #require(core.state.node("n3")).latent.floats
    #expect(VectorMath.cosine(latent, neighbour) > 0.9)
    // Without a map, or with a NaN point, the drop is refused.
    var plain = self.core(nodes: 3)
    let refused = plain.receive(drop, from: 1, using: services)
    #expect(events.sends(refused).map(\.0) == ["nack"])
    let nan = ClientOp(
      id: OpFixtures.id(41, "r1"),
      payload: .nodeMove(.init(node: "n0", coordinates: [], map: .init(x: .nan, y: 0))))
    #expect(events.sends(core.receive(nan, from: 1, using: services)).map(\.0) == ["nack"])
  }
}
