import Canvas
import Foundation

/// Who is in the room: connections are added at hello, join after catching up, share
/// presence, and leave. Presence outlives a disconnect for a while, so a quick reconnect
/// does not flicker for the others.
extension RoomCore {
  /// How a joiner catches up before it receives live ops.
  enum CatchUp: Equatable {
    /// The committed ops from...through (it has seen everything before them).
    case ops(from: Int64, through: Int64)
    /// The whole state at the head.
    case snapshot
  }

  /// A connection said hello for this document; it is a member, not joined yet.
  mutating func add(
    _ connection: ConnectionID, replica: ReplicaID, actor: String, role: Role = .editor
  ) {
    members[connection] = Member(replica: replica, actor: actor, joined: false, role: role)
  }

  /// What a member that has seen up to `sinceSeq` needs before it joins: the missing
  /// ops when `sinceSeq` is a seq of this document, else a snapshot. Nil for a connection
  /// that is not a member (it left meanwhile).
  func catchUp(for connection: ConnectionID, sinceSeq: Int64?) -> CatchUp? {
    guard members[connection] != nil else { return nil }
    if let since = sinceSeq, since >= 0, since <= head {
      return .ops(from: since + 1, through: head)
    }
    return .snapshot
  }

  /// The member has caught up: it receives live ops from here on, everyone else's latest
  /// presence, then `joined`.
  mutating func joined(_ connection: ConnectionID, doc: DocumentID) -> [Action] {
    guard let member = members[connection] else { return [] }
    members[connection]?.joined = true
    var actions: [Action] = presence.filter { $0.key != member.replica }
      .sorted { $0.key.rawValue < $1.key.rawValue }
      .map { .send(ServerMessage.presence($0.value).encoded(), to: [connection]) }
    actions.append(.send(ServerMessage.joined(doc: doc, head: head).encoded(), to: [connection]))
    return actions
  }

  /// A member's presence: kept for later joiners and sent to its joined peers (a newer
  /// frame from the same replica may replace one still queued).
  mutating func presence(_ relay: ServerMessage.PresenceRelay, from connection: ConnectionID)
    -> [Action]
  {
    guard let member = members[connection] else { return [] }
    presence[member.replica] = relay
    return [
      .sendCoalesced(
        ServerMessage.presence(relay).encoded(), to: peers(of: connection),
        key: "presence:\(member.replica)")
    ]
  }

  /// A connection left. Its presence stays until it expires, but a drag it was doing
  /// ended with it: the others are told at once, and later joiners never see it.
  mutating func leave(_ connection: ConnectionID) -> [Action] {
    guard let member = members.removeValue(forKey: connection),
      var relay = presence[member.replica]
    else { return [] }
    var actions: [Action] = []
    if relay.dragging != nil {
      relay.dragging = nil
      presence[member.replica] = relay
      actions.append(
        .sendCoalesced(
          ServerMessage.presence(relay).encoded(), to: joined, key: "presence:\(member.replica)"))
    }
    return actions + [.expirePresence(member.replica, actor: member.actor, connection: connection)]
  }

  /// A departed replica's presence expired: unless it came back meanwhile, it is
  /// forgotten and everyone joined is told it left.
  mutating func presenceExpired(_ replica: ReplicaID, actor: String, connection: ConnectionID)
    -> [Action]
  {
    guard !members.values.contains(where: { $0.replica == replica }),
      presence.removeValue(forKey: replica) != nil
    else { return [] }
    let left = ServerMessage.presence(.init(from: connection, actor: actor, left: true))
    return [.send(left.encoded(), to: joined)]
  }
}
