import Canvas
import CanvasStore
import Foundation
import Latent

/// What a room decides, as a value: its committed state, head, members and server clock,
/// and methods that take an event and return the actions it calls for. No queue, no store,
/// no sockets: `Room` (the shell) owns one, feeds it events on its serial queue and
/// carries out the actions; tests drive it directly.
struct RoomCore {
  /// A connection in the room.
  struct Member: Equatable {
    var replica: ReplicaID
    var actor: String
    var joined: Bool
    /// What the member's token lets it do (decides plugin use and plugins.allow).
    var role: Role = .editor
  }

  /// A batch to log, and who answers for it.
  struct Submission: Equatable {
    /// The ops, in order; a client's op (when any) is first.
    var ops: [Op]
    /// Log the rest only if the first is newly logged (op.apply and its results).
    var gatedOnFirst = false
    /// The connection whose op is first in `ops`: it gets the ack or nack, and the
    /// broadcast of that op goes to its peers only. Nil for server-authored batches.
    var client: ConnectionID?
    /// The server lamport before this batch's server ops were made: restored when none of
    /// the batch is logged, so a refused batch cannot leave the room's clock ahead.
    var lamportBefore: UInt64?
    /// What the decodes of these ops should prefer (a steered feature firing), by op id; a
    /// client's node.move gets its axis intents when it commits.
    var intents: [OpID: [DecodeIntent]] = [:]
  }

  /// What the shell must do.
  enum Action: Equatable {
    /// Send these bytes to these connections.
    case send(Data, to: [ConnectionID])
    /// Send these bytes; a still-queued frame with the same key may be replaced by them.
    case sendCoalesced(Data, to: [ConnectionID], key: String)
    /// Hand this batch to the group committer; its result comes back to `settle`.
    case append(Submission)
    /// Decode this latent for this node (it answers the latent write `answers`).
    case decode(node: NodeID, latent: LatentVector, answers: OpID, intents: [DecodeIntent] = [])
    /// The commit failed: reload state and head from the store.
    case reload
    /// Log a warning.
    case warn(String)
    /// A decode answered a latent write that a newer one has replaced (counted).
    case superseded
    /// Forget this replica's presence after the expiry, unless it came back
    /// (`presenceExpired`).
    case expirePresence(ReplicaID, actor: String, connection: ConnectionID)
    /// Compute this map off the room's queue; the result comes back to `mapComputed`.
    case computeMap(MapJob)
    /// Place these nodes into the map off the queue; the result comes back to `placed`.
    case placeOnMap(PlacementJob)
  }

  var state: DocumentState
  var head: Int64
  var members: [ConnectionID: Member] = [:]
  /// Latest presence frame per replica, kept past a disconnect until it expires.
  var presence: [ReplicaID: ServerMessage.PresenceRelay] = [:]
  /// The provisional decode stage last sent per node: the move it answers and its
  /// fidelity (a later stage is sent only if it beats it).
  var shownStages: [NodeID: ShownStage] = [:]

  /// A provisional stage that was sent.
  struct ShownStage: Equatable {
    var answers: OpID
    var fidelity: Float
  }
  /// The lamport of the last server-authored op, so two in flight never share an id.
  var serverLamport: UInt64 = 0
  /// The map op.apply being computed, if any (one at a time per document).
  var mapInFlight: OpID?

  /// Joined members other than `connection`, in a stable order.
  func peers(of connection: ConnectionID) -> [ConnectionID] {
    members.filter { $0.key != connection && $0.value.joined }.map(\.key).sorted()
  }

  /// Every joined member, in a stable order.
  var joined: [ConnectionID] { members.filter(\.value.joined).map(\.key).sorted() }

  /// A server-authored op with a fresh id: its lamport is above every op seen, every
  /// server op already made (two in flight never share an id), and `floor`. Saturating:
  /// every lamport that reaches here passed the lead check, so the clock is far below
  /// the top; should it get there, ids repeat (the store answers duplicates) rather than
  /// trap.
  mutating func serverOp(_ payload: OpPayload, above floor: UInt64 = 0) -> Op {
    let (next, overflow) = max(serverLamport, state.maxLamport, floor).addingReportingOverflow(1)
    serverLamport = overflow ? .max : next
    return Op(
      id: OpID(lamport: serverLamport, replica: RoomCore.serverReplica),
      actor: RoomCore.serverActor,
      payload: payload)
  }

  /// The one after-commit path. Each committed op is applied, bumps the head, is encoded
  /// once and sent (to the client's peers for the client's own op, to everyone joined
  /// otherwise); the client's op is acked or nacked; text-less latent writes are decoded.
  /// When nothing of the batch was logged, the server clock goes back to `lamportBefore`
  /// (if no other batch has moved it since `assigned`).
  mutating func settle(
    _ submission: Submission, _ result: Result<[AppendOutcome], StoreError>,
    assigned: UInt64
  ) -> [Action] {
    if let before = submission.lamportBefore, serverLamport == assigned {
      if case .success(let outcomes) = result, case .committed? = outcomes.first {
      } else {
        serverLamport = before
      }
    }
    var actions: [Action] = []
    let outcomes: [AppendOutcome]
    switch result {
    case .failure(let error):
      if let client = submission.client, let first = submission.ops.first {
        actions.append(
          .send(ProtocolError.commitFailed("\(error)").nack(first.id).encoded(), to: [client]))
      }
      return actions + [.warn("commit failed; room reloads: \(error)"), .reload]
    case .success(let value):
      outcomes = value
    }
    var committed: [Op] = []
    for (index, (op, outcome)) in zip(submission.ops, outcomes).enumerated() {
      let client = index == 0 ? submission.client : nil
      switch outcome {
      case .committed(let seq):
        let intents = submission.intents[op.id] ?? (client != nil ? moveIntents(for: op) : [])
        state.apply(op)
        head = max(head, seq)
        let wire = WireOp(SequencedOp(seq: seq, op: op), state: state)
        let frame = ServerMessage.op(wire).encoded()
        if let client {
          actions.append(
            .send(
              ServerMessage.ack(
                op.id, seq: seq, coords: wire.op.coords, op: wire.acksWithOp ? wire.op : nil
              ).encoded(), to: [client]))
          actions.append(.send(frame, to: peers(of: client)))
        } else {
          actions.append(.send(frame, to: joined))
        }
        actions += Self.decodes(for: op, intents: intents)
        committed.append(op)
      case .duplicate(let seq):
        if let client {
          actions.append(.send(ServerMessage.ack(op.id, seq: seq).encoded(), to: [client]))
        }
      case .rejected(let why):
        if let client {
          actions.append(.send(ProtocolError.rejected(why).nack(op.id).encoded(), to: [client]))
        } else if why != .firstNotCommitted {
          actions.append(.warn("server op \(op.kind.rawValue) refused: \(why)"))
        }
      }
    }
    return actions + placements(after: committed)
  }

  /// The decode a committed op calls for: a latent written without text.
  static func decodes(for op: Op, intents: [DecodeIntent] = []) -> [Action] {
    switch op.payload {
    case .nodeMove(let payload):
      payload.latent.map {
        [.decode(node: payload.node, latent: $0, answers: op.id, intents: intents)]
      } ?? []
    case .nodeCreate(let payload) where payload.text == nil:
      [.decode(node: payload.node, latent: payload.latent, answers: op.id, intents: intents)]
    default:
      []
    }
  }

  /// Decodes for nodes whose latest latent write has no text yet (a decode lost to a
  /// restart), so no acknowledged move stays without its text.
  var staleDecodes: [Action] {
    state.nodes.filter(\.isTextStale).map {
      .decode(node: $0.id, latent: $0.latent, answers: $0.latentWrite)
    }
  }
}
