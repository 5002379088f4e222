import Canvas
import CanvasStore
import Dispatch
import Foundation
import Latent
import Logging
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
// @unchecked: state is touched only on `queue` (serial), `joined` only under `joinedLock`.
final class Room: @unchecked Sendable {
  typealias Member = RoomCore.Member

  let id: DocumentID
  let queue: DispatchQueue
  let store: CanvasStore
  let committer: GroupCommitter
  let encoder: SentenceEncoder?
  /// Axes from the loaded axis packs, for axis.create with provider "pack".
  let axes: AxisRegistry?
  /// Native plugin operations, for op.apply.
  let plugins: PluginRegistry?
  /// The shared decode pool; nil runs without a decoder (moves then keep their old text).
  let decodes: DecodeScheduler?
  /// Candidates per committed decode, and per drag preview.
  var decodeCandidates = 8
  var previewCandidates = 1
  /// The room's decisions (state, head, members, server clock); touched only on `queue`.
  var core: RoomCore
  var serverLamport: UInt64 {
    get { core.serverLamport }
    set { core.serverLamport = newValue }
  }
  let sink: any FrameSink
  let metrics: ServerMetrics
  let logger: Logger
  var state: DocumentState {
    get { core.state }
    set { core.state = newValue }
  }
  var head: Int64 {
    get { core.head }
    set { core.head = newValue }
  }
  var members: [ConnectionID: Member] {
    get { core.members }
    set { core.members = newValue }
  }
  /// Joined members, readable from any thread (for `relay`).
  private var joined: Set<ConnectionID> = []
  private let joinedLock = NSLock()
  /// Latest presence frame per replica, kept `presenceExpiry` past a disconnect.
  private var presence: [ReplicaID: Data] = [:]
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
  var isEmpty: Bool { queue.sync { members.isEmpty } }

  func add(_ connection: ConnectionID, replica: ReplicaID, actor: String) {
    queue.async { self.members[connection] = Member(replica: replica, actor: actor, joined: false) }
  }

  func remove(_ connection: ConnectionID) {
    setJoined(connection, false)
    queue.async { [self] in
      guard let member = members.removeValue(forKey: connection), presence[member.replica] != nil
      else { return }
      queue.asyncAfter(deadline: .now() + presenceExpiry) { [self] in
        // Gone for good unless the same replica came back meanwhile.
        guard !members.values.contains(where: { $0.replica == member.replica }) else { return }
        presence[member.replica] = nil
        sink.send(
          ServerMessage.presence(.init(from: connection, actor: member.actor, left: true))
            .encoded(),
          to: members.compactMap { $0.value.joined ? $0.key : nil }, coalesceKey: nil)
      }
    }
  }

  /// Sends the missed ops (or a snapshot), then live ops from here on.
  func join(_ connection: ConnectionID, sinceSeq: Int64?) {
    queue.async { [self] in
      guard members[connection] != nil else { return }
      do {
        if let since = sinceSeq, since >= 0, since <= head {
          try stream(from: since + 1, through: head, as: ServerMessage.ops, to: connection)
        } else {
          let snapshot = snapshotFrame()
          sink.sendBulk(snapshot, to: connection)
          MemoryReturn.afterLargeRead(bytes: snapshot.count)
        }
        members[connection]?.joined = true
        setJoined(connection, true)
        let own = members[connection]?.replica
        for (replica, frame) in presence where replica != own { sink.send(frame, to: connection) }
        sink.send(ServerMessage.joined(doc: id, head: head).encoded(), to: connection)
      } catch {
        sink.send(ProtocolError.store("\(error)").errorFrame.encoded(), to: connection)
      }
    }
  }

  /// Relays an ephemeral message to every other joined member at once, on the caller's
  /// thread: drags skip the room queue, so a busy room does not delay them.
  func relay(_ frame: Data, from connection: ConnectionID) {
    joinedLock.lock()
    let peers = joined.filter { $0 != connection }
    joinedLock.unlock()
    sink.send(frame, to: Array(peers))
  }

  /// Records and relays a member's presence. Joiners receive everyone's latest presence;
  /// it outlives a disconnect by `presenceExpiry`, so a quick reconnect does not flicker.
  func updatePresence(_ frame: Data, from connection: ConnectionID) {
    queue.async { [self] in
      guard let member = members[connection] else { return }
      presence[member.replica] = frame
      sink.send(frame, to: peers(of: connection), coalesceKey: "presence:\(member.replica)")
    }
  }

  /// Every joined member, readable from any thread.
  func joinedConnections() -> [ConnectionID] {
    joinedLock.lock()
    defer { joinedLock.unlock() }
    return Array(joined)
  }

  private func setJoined(_ connection: ConnectionID, _ isJoined: Bool) {
    joinedLock.lock()
    if isJoined { joined.insert(connection) } else { joined.remove(connection) }
    joinedLock.unlock()
  }

  /// Joined members other than `connection`.
  func peers(of connection: ConnectionID) -> [ConnectionID] { core.peers(of: connection) }

  /// Streams committed ops in from...to to one member.
  /// The store reads and encoding run on `Room.historyQueue` with a copy of the state as
  /// of the request, so a long history does not hold the room's queue.
  func history(_ connection: ConnectionID, from: Int64, to: Int64?) {
    queue.async { [self] in
      let end = min(to ?? head, head)
      let state = state
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
    let state = state ?? self.state
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
    queue.async { [self] in
      guard let member = members[connection] else { return }
      if case .opApply(let apply) = request.payload {
        applyOperation(apply, id: request.id, member: member, connection: connection)
        return
      }
      do throws(ProtocolError) {
        append(Submission(ops: [try resolve(request, member: member)], client: connection))
      } catch {
        sink.send(error.nack(request.id).encoded(), to: connection)
      }
    }
  }

  private func snapshotFrame() -> Data {
    ServerMessage.snapshot(seq: head, state: SnapshotState(state)).encoded()
  }
}
