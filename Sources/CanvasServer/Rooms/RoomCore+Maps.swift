import Canvas
import Foundation
import Latent

/// Maps in the room core. A map op.apply ("umap-layout", "tsne-layout") is checked here and
/// computed by the shell off the room's queue; its result comes back as `mapComputed` and
/// is logged as the op.apply plus a full view.layout (every node's position), one gated
/// append. Every later latent write (a create, a move, a text edit) on a document with a
/// map is placed into it by the method's transform, also off the queue (`placed`), and
/// logged as a view.layout placement. A drop on the map (`node.move` with a map point)
/// becomes the distance-weighted mean of the latents placed nearest the point.
extension RoomCore {
  /// The op.apply operations that compute a map, and their methods.
  static let mapOperations: [String: MapMethod] = ["umap-layout": .umap, "tsne-layout": .tsne]
  /// The plugin name an op.apply of a map records.
  static let mapPlugin = "latitude.maps"
  /// Nodes a drop on the map averages.
  static let mapMoveNeighbors = 6

  /// A full map to compute: every live node's latent when it was asked for.
  struct MapJob: Equatable {
    var apply: OpID
    var actor: String
    var connection: ConnectionID
    var operation: String
    var method: MapMethod
    var params: JSONValue
    var nodes: [NodeID]
    var latents: [LatentVector]
  }

  /// Nodes to place into the current map, and the placed nodes to place them among.
  struct PlacementJob: Equatable {
    var run: OpID
    var method: MapMethod
    var params: JSONValue
    var referenceNodes: [NodeID]
    var referenceLatents: [LatentVector]
    var referencePositions: [MapPosition]
    var nodes: [NodeID]
    var latents: [LatentVector]
    /// Each node's latent write when the job was made: a newer write has its own job.
    var writes: [OpID]
  }

  /// A map op.apply arrives: the checks every op.apply gets, then the job for the shell.
  mutating func receiveMapApply(
    _ request: ClientOpPayload.ApplyRequest, method: MapMethod, id applyID: OpID,
    member: Member, from connection: ConnectionID
  ) -> [Action] {
    do throws(ProtocolError) {
      let params = try checkApply(request, id: applyID, member: member)
      let validator = OpValidator()
      guard (request.inputs ?? []).isEmpty else {
        throw .malformed("a map lays out every node of the document; leave inputs empty")
      }
      guard mapInFlight == nil else {
        throw .busy("a map is already being computed for this document; try again when it lands")
      }
      let nodes = state.nodes
      guard nodes.count >= 3 else {
        throw .malformed("a map needs at least 3 nodes (this document has \(nodes.count))")
      }
      guard nodes.count <= validator.limits.maxMapPositions else {
        throw .tooMany("a map holds at most \(validator.limits.maxMapPositions) nodes")
      }
      mapInFlight = applyID
      return [
        .computeMap(
          MapJob(
            apply: applyID, actor: member.actor, connection: connection,
            operation: request.operation, method: method, params: params,
            nodes: nodes.map(\.id), latents: nodes.map(\.latent)))
      ]
    } catch {
      return [.send(error.nack(applyID).encoded(), to: [connection])]
    }
  }

  /// A map computation finished: on success the op.apply (with the parameters as run,
  /// seed included) and the full view.layout are one gated append; a failure nacks.
  mutating func mapComputed(
    _ job: MapJob, _ result: Result<(params: JSONValue, positions: [MapPosition]), ProtocolError>
  ) -> [Action] {
    if mapInFlight == job.apply { mapInFlight = nil }
    let requester = members[job.connection] != nil ? job.connection : nil
    switch result {
    case .failure(let error):
      return requester.map { [.send(error.nack(job.apply).encoded(), to: [$0])] } ?? []
    case .success(let (params, positions)):
      let lamportBefore = serverLamport
      let apply = Op(
        id: job.apply, actor: job.actor,
        payload: .opApply(
          OpApply(
            plugin: Self.mapPlugin, operation: job.operation, params: params, inputs: [],
            outputs: [])))
      let layout = serverOp(
        .viewLayout(ViewLayout(run: nil, method: job.method, params: params, positions: positions)),
        above: job.apply.lamport)
      return [
        .append(
          Submission(
            ops: [apply, layout], gatedOnFirst: true, client: requester,
            lamportBefore: lamportBefore))
      ]
    }
  }

  /// The placement a committed batch calls for: its latent writes, and after a new full
  /// layout the live nodes it missed (created while it was computed).
  func placements(after ops: [Op]) -> [Action] {
    guard state.map.layout != nil else { return [] }
    var nodes: [NodeID] = []
    for op in ops {
      switch op.payload {
      case .nodeCreate(let p): nodes.append(p.node)
      case .nodeMove(let p) where p.latent != nil: nodes.append(p.node)
      case .nodeSetText(let p): nodes.append(p.node)
      case .viewLayout(let p) where p.run == nil && op.id == state.map.run:
        let placed = state.map.positions
        nodes += state.nodes.filter { placed[$0.id] == nil }.map(\.id)
      default: break
      }
    }
    return placementJob(for: nodes).map { [.placeOnMap($0)] } ?? []
  }

  /// A job placing the live ones of `nodes` among every other placed node.
  func placementJob(for nodes: [NodeID]) -> PlacementJob? {
    guard let layout = state.map.layout else { return nil }
    var seen = Set<NodeID>()
    let placing = nodes.filter { seen.insert($0).inserted }.compactMap { state.node($0) }
    guard !placing.isEmpty else { return nil }
    let positions = state.map.positions
    var reference: [(Node, MapPosition)] = []
    for node in state.nodes where !seen.contains(node.id) {
      if let position = positions[node.id] { reference.append((node, position)) }
    }
    guard !reference.isEmpty else { return nil }
    return PlacementJob(
      run: layout.stamp, method: layout.value.method, params: layout.value.params,
      referenceNodes: reference.map(\.0.id), referenceLatents: reference.map(\.0.latent),
      referencePositions: reference.map(\.1), nodes: placing.map(\.id),
      latents: placing.map(\.latent), writes: placing.map(\.latentWrite))
  }

  /// A placement finished: logged for the nodes whose latent is still the one placed,
  /// if the map is still the one it was placed into.
  mutating func placed(_ job: PlacementJob, _ result: Result<[MapPosition], ProtocolError>)
    -> [Action]
  {
    guard case .success(let positions) = result else {
      if case .failure(let error) = result { return [.warn("map placement failed: \(error)")] }
      return []
    }
    guard state.map.run == job.run else { return [] }
    let current = zip(positions, job.writes).filter { position, write in
      state.node(position.node)?.latentWrite == write
    }.map(\.0)
    guard !current.isEmpty else { return [] }
    let lamportBefore = serverLamport
    let op = serverOp(
      .viewLayout(
        ViewLayout(run: job.run, method: job.method, params: job.params, positions: current)))
    return [.append(Submission(ops: [op], lamportBefore: lamportBefore))]
  }

  /// The latent for a drop of `node` at `target` on the map: the mean of the latents of the
  /// placed nodes nearest the point, weighted by 1 / (d² + h²) with h a fiftieth of the
  /// map's extent, then normalised.
  func mapMoveTarget(_ node: NodeID, to target: ClientOpPayload.MapTarget) throws(ProtocolError)
    -> LatentVector
  {
    guard state.node(node) != nil else { throw .unknownNode(node) }
    guard target.x.isFinite, target.y.isFinite else { throw .nonFinite("map point") }
    guard state.map.layout != nil else {
      throw .malformed("this document has no map yet: compute one (umap-layout) first")
    }
    let positions = state.map.positions
    var near: [(distance: Float, node: NodeID)] = []
    var (minX, maxX, minY, maxY) = (
      Float.infinity, -Float.infinity, Float.infinity, -Float.infinity
    )
    for (id, p) in positions where id != node && state.isLive(id) {
      let (dx, dy) = (p.x - target.x, p.y - target.y)
      near.append((dx * dx + dy * dy, id))
      (minX, maxX, minY, maxY) = (min(minX, p.x), max(maxX, p.x), min(minY, p.y), max(maxY, p.y))
    }
    guard !near.isEmpty else { throw .malformed("no other node is on the map to move towards") }
    near.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.node < $1.node }
    let extent = max(maxX - minX, maxY - minY, 1e-6)
    let softening = (extent / 50) * (extent / 50)
    var mean = [Float](repeating: 0, count: OpValidator().limits.dimension)
    for (distance, id) in near.prefix(Self.mapMoveNeighbors) {
      guard let latent = state.node(id)?.latent.floats, latent.count == mean.count else { continue }
      let weight = 1 / (distance + softening)
      for i in 0..<mean.count { mean[i] += weight * latent[i] }
    }
    let norm = VectorMath.norm(mean)
    guard norm > 0, norm.isFinite else { throw .malformed("the nodes near that point cancel out") }
    return LatentVector(mean.map { $0 / norm })
  }
}
