import Canvas
import CanvasStore
import Foundation

/// Opening rooms off the service thread: `hello` records the session as opening and
/// returns; `attachRoom` (on `roomOpener`) finds or loads the room, attaches the session,
/// sends `welcome`, and then handles the frames that arrived meanwhile, in order.
extension LatitudeServer {
  /// Frames a session may send while its room opens; more get an error and are dropped.
  static let maxPendingFrames = 256

  /// Finds or loads the session's room and attaches the session (roomOpener queue).
  func attachRoom(to id: ConnectionID, replica: ReplicaID, actor: String) {
    lock.lock()
    guard let session = sessions[id] else {
      lock.unlock()
      return
    }
    // An open room is attached under the same lock as the lookup, so an idle unload can
    // never drop it in between.
    if let room = rooms[session.document] {
      attach(room, to: id)
      lock.unlock()
      welcome(id, room: room, session: session, replica: replica, actor: actor)
      return
    }
    lock.unlock()
    if let refusal = claim(session.document) {
      refuseMoved(id, reason: refusal)
      return
    }
    let room: Room
    do {
      // Only someone who may write can bring a document into being by joining it.
      if !session.role.canWrite, try store.document(session.document) == nil {
        throw ProtocolError.unknownDocument(session.document)
      }
      room = try Room(
        id: session.document, store: store, committer: committer, encoder: encoder,
        decodes: decodes, axes: axes, plugins: plugins, sink: self, metrics: metrics,
        logger: logger)
      room.pluginPolicy = configuration.pluginPolicy
    } catch {
      lock.lock()
      sessions[id]?.pending = nil
      lock.unlock()
      let refusal = error as? ProtocolError ?? .store("\(error)")
      send(refusal.errorFrame.encoded(), to: id)
      return
    }
    room.decodeCandidates = configuration.decodeCandidates
    room.previewCandidates = configuration.previewCandidates
    room.decodeEnough = configuration.decodeEnough
    room.decodeCorrection = configuration.decodeCorrection
    room.features = features
    lock.lock()
    // Only this queue creates rooms, so none appeared for the document meanwhile.
    rooms[session.document] = room
    let stillConnected = sessions[id] != nil
    if stillConnected { attach(room, to: id) }
    lock.unlock()
    guard stillConnected else {
      scheduleUnload(room)
      return
    }
    welcome(id, room: room, session: session, replica: replica, actor: actor)
  }

  /// Records the room in the session. Caller holds `lock`.
  private func attach(_ room: Room, to id: ConnectionID) {
    sessions[id]?.room = room
  }

  /// Adds the member, sends `welcome`, then the frames that arrived while opening.
  private func welcome(
    _ id: ConnectionID, room: Room, session: Session, replica: ReplicaID, actor: String
  ) {
    room.add(id, replica: replica, actor: actor, role: session.role)
    send(
      ServerMessage.welcome(
        .init(
          replica: replica, role: session.role.rawValue,
          limits: [
            "maxMessageBytes": configuration.transport.maxMessageBytes,
            "maxTextLength": ValidationLimits.standard.maxTextLength,
          ])
      ).encoded(),
      to: id)
    // Frames keep queueing while the backlog is handled, so their order is kept; the
    // session leaves the opening state only when the backlog is empty.
    while true {
      lock.lock()
      let backlog = sessions[id]?.pending ?? []
      sessions[id]?.pending = backlog.isEmpty ? nil : []
      lock.unlock()
      if backlog.isEmpty { return }
      for frame in backlog { process(id, message: frame) }
    }
  }
}
