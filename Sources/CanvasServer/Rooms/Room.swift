import Canvas
import CanvasStore
import Dispatch
import Foundation
import Latent
import Logging
import Synchronization
import PluginHost

/// Sends frames to connections; the transport in production, a recorder in tests.
public protocol FrameSink: AnyObject, Sendable {
  func send(_ frame: Data, to connection: ConnectionID)
  /// Sends one frame to several connections (one hand-off for all of them). A frame with a
  /// `coalesceKey` may replace a still-queued one with the same key.
  func send(_ frame: Data, to connections: [ConnectionID], coalesceKey: String?)
  /// Sends a large one-off frame (a join's snapshot) past the slow-consumer limit.
  func sendBulk(_ frame: Data, to connection: ConnectionID)
}

extension FrameSink {
  /// Sends a large one-off frame (a join's snapshot) that may exceed the slow-consumer
  /// limit on its own; sinks without such an allowance send it as usual.
  public func sendBulk(_ frame: Data, to connection: ConnectionID) {
    send(frame, to: connection)
  }

  public func send(_ frame: Data, to connections: [ConnectionID], coalesceKey: String?) {
    for connection in connections { send(frame, to: connection) }
  }

  /// Sends one frame to several connections, without coalescing.
  public func send(_ frame: Data, to connections: [ConnectionID]) {
    send(frame, to: connections, coalesceKey: nil)
  }
}

/// One open document: a serial queue that owns its committed state and its members.
/// Ops are validated, resolved (text → latent by the encoder; axis coordinates → latent by
/// least squares) and handed to the group committer; the ack and the broadcast go out only
/// after the commit, in commit order, so every seq a peer sees is durable.
// @unchecked: `core` is touched only on `queue` (serial).
final class Room: @unchecked Sendable {
  let id: DocumentID
  let queue: DispatchQueue
  let store: CanvasStore
  let committer: GroupCommitter
  let encoder: SentenceEncoder?
  /// Axes from the loaded axis packs, for axis.create with provider "pack".
  let axes: AxisRegistry?
  /// Native plugin operations, for op.apply.
  let plugins: PluginRegistry?
  /// Which plugins each role may run on this server.
  var pluginPolicy = PluginPolicy.unrestricted
  /// The sparse feature dictionary, for feature axes and feature steering; nil without one.
  var features: FeatureDictionary?
  /// The shared decode pool; nil runs without a decoder (moves then keep their old text).
  let decodes: DecodeScheduler?
  /// Candidates per committed decode, and per drag preview.
  var decodeCandidates = 8
  var previewCandidates = 1
  /// A committed decode skips sampling when greedy or the bank reaches this fidelity.
  var decodeEnough: Float? = DecodeEffort.measuredEnough
  /// Correction rounds of a committed decode.
  var decodeCorrection = DecodeCorrection.off
  /// The effort of a committed decode (and of a sweep step, so a dropped step decodes to
  /// the same text from the cache).
  var committedEffort: DecodeEffort {
    DecodeEffort(candidates: decodeCandidates, enough: decodeEnough, correction: decodeCorrection)
  }
  /// The room's decisions (state, head, members, server clock); touched only on `queue`.
  var core: RoomCore
  let sink: any FrameSink
  let metrics: ServerMetrics
  let logger: Logger
  /// Joined members, readable from any thread (for `relay`, which skips the queue); a
  /// copy of the core's joined members, set as the core decides.
  private let joined = Mutex<Set<ConnectionID>>([])
  /// How long presence outlives a disconnect.
  var presenceExpiry: DispatchTimeInterval = .seconds(30)

  init(
    id: DocumentID, store: CanvasStore, committer: GroupCommitter, encoder: SentenceEncoder?,
    decodes: DecodeScheduler? = nil, axes: AxisRegistry? = nil, plugins: PluginRegistry? = nil,
    sink: any FrameSink, metrics: ServerMetrics, logger: Logger
  ) throws {
    self.decodes = decodes
    self.axes = axes
    self.plugins = plugins
    self.metrics = metrics
    self.id = id
    self.store = store
    self.committer = committer
    self.encoder = encoder
    self.sink = sink
    self.logger = logger
    queue = DispatchQueue(label: "latitude.room.\(id)")
    if try store.document(id) == nil {
      try store.createDocument(
        DocumentInfo(id: id, title: id.rawValue, createdAt: Int64(Date().timeIntervalSince1970)))
    }
    let info = try store.requireDocument(id)
    core = RoomCore(state: try store.state(id, atSeq: info.headSeq), head: info.headSeq)
    queue.async { self.scheduleStaleDecodes() }
  }

  /// True when nobody is in the room.
  var isEmpty: Bool { queue.sync { core.members.isEmpty } }

  func add(_ connection: ConnectionID, replica: ReplicaID, actor: String, role: Role = .editor) {
    queue.async { self.core.add(connection, replica: replica, actor: actor, role: role) }
  }

  func remove(_ connection: ConnectionID) {
    setJoined(connection, false)
    queue.async { [self] in perform(core.leave(connection)) }
  }

  /// Sends the missed ops (or a snapshot), then live ops from here on.
  func join(_ connection: ConnectionID, sinceSeq: Int64?) {
    queue.async { [self] in
      guard let catchUp = core.catchUp(for: connection, sinceSeq: sinceSeq) else { return }
      do {
        switch catchUp {
        case .ops(let from, let through):
          try stream(from: from, through: through, as: ServerMessage.ops, to: connection)
        case .snapshot:
          let snapshot = snapshotFrame()
          sink.sendBulk(snapshot, to: connection)
          MemoryReturn.afterLargeRead(bytes: snapshot.count)
        }
      } catch {
        sink.send(ProtocolError.store("\(error)").errorFrame.encoded(), to: connection)
        return
      }
      setJoined(connection, true)
      perform(core.joined(connection, doc: id))
    }
  }

  /// Relays an ephemeral message to every other joined member at once, on the caller's
  /// thread: drags skip the room queue, so a busy room does not delay them.
  func relay(_ frame: Data, from connection: ConnectionID) {
    let peers = joined.withLock { $0.filter { $0 != connection } }
    sink.send(frame, to: Array(peers))
  }

  /// Records and relays a member's presence. Joiners receive everyone's latest presence;
  /// it outlives a disconnect by `presenceExpiry`, so a quick reconnect does not flicker.
  func updatePresence(_ relay: ServerMessage.PresenceRelay, from connection: ConnectionID) {
    queue.async { [self] in perform(core.presence(relay, from: connection)) }
  }

  /// Every joined member, readable from any thread.
  func joinedConnections() -> [ConnectionID] {
    joined.withLock { Array($0) }
  }

  private func setJoined(_ connection: ConnectionID, _ isJoined: Bool) {
    joined.withLock {
      if isJoined { $0.insert(connection) } else { $0.remove(connection) }
    }
  }

  /// Streams committed ops in from...to to one member.
  /// The store reads and encoding run on `Room.historyQueue` with a copy of the state as
  /// of the request, so a long history does not hold the room's queue.
  func history(_ connection: ConnectionID, from: Int64, to: Int64?) {
    queue.async { [self] in
      let end = min(to ?? core.head, core.head)
      let state = core.state
      Self.historyQueue.async { [self] in
        do {
          try stream(
            from: max(1, from), through: end, as: ServerMessage.history, to: connection,
            state: state)
          sink.send(ServerMessage.historyEnd(to: end).encoded(), to: connection)
        } catch {
          sink.send(ProtocolError.store("\(error)").errorFrame.encoded(), to: connection)
        }
      }
    }
  }

  /// Where history pages are read and encoded: one at a time for the whole server.
  static let historyQueue = DispatchQueue(label: "latitude.history")

  /// Sends committed ops from...through to one member, in frames of up to 500 ops.
  private func stream(
    from: Int64, through end: Int64, as page: ([WireOp]) -> ServerMessage,
    to connection: ConnectionID,
    state: DocumentState? = nil
  ) throws {
    let state = state ?? core.state
    var next = from
    var bytes = 0
    defer { MemoryReturn.afterLargeRead(bytes: bytes) }
    while next <= end {
      let ops = try store.ops(id, from: next, limit: min(500, Int(end - next + 1)))
      guard let last = ops.last else { break }
      let frame = page(ops.map { WireOp($0, state: state) }).encoded()
      bytes += frame.count
      sink.send(frame, to: connection)
      next = last.seq + 1
    }
  }

  /// Resolves and submits a client op; ack/nack and broadcast follow the commit.
  func submit(_ request: ClientOp, from connection: ConnectionID) {
    queue.async { [self] in perform(core.receive(request, from: connection, using: self)) }
  }

  private func snapshotFrame() -> Data {
    ServerMessage.snapshot(seq: core.head, state: SnapshotState(core.state)).encoded()
  }
}
