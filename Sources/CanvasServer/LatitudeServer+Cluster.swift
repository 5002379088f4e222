import Canvas
import CanvasStore
import Foundation

/// Several nodes on one PostgreSQL database: a room opens only on the node that holds its
/// document's lease (see `DocumentOwnership`). A session that reaches a node which cannot
/// take the lease, or whose node loses it, is closed with `movedCloseCode`; the canvas
/// reconnects at once (through the router, to the owner) and resyncs from its last seq.
extension LatitudeServer {
  /// WebSocket close code: this document is served by another node now; reconnect.
  public static let movedCloseCode: UInt16 = 4010

  /// Hands lost leases to `dropRooms`; appends need a lease taken when the room opens.
  func startOwnership() {
    guard let ownership = store.ownership else { return }
    ownership.autoAcquire = false
    ownership.onLost { [weak self] documents in self?.dropRooms(documents) }
    logger.notice(
      "clustered on PostgreSQL",
      metadata: ["node": "\(ownership.owner)", "lease_ms": "\(ownership.leaseMilliseconds)"])
  }

  /// Takes the document's lease before its room opens (roomOpener queue).
  /// - Returns: nil when this node may serve the document; otherwise why not.
  func claim(_ document: DocumentID) -> String? {
    guard let ownership = store.ownership else { return nil }
    do {
      switch try ownership.acquire(document, askOwner: true) {
      case .owned: return nil
      case .heldBy(let owner, let milliseconds):
        return "document '\(document)' is served by \(owner) (lease for \(milliseconds) ms more)"
      }
    } catch {
      logger.error("could not take a lease", metadata: ["doc": "\(document)", "error": "\(error)"])
      return "cannot reach the op log to take document '\(document)': \(error)"
    }
  }

  /// Closes a session with `movedCloseCode`, telling it why.
  func refuseMoved(_ id: ConnectionID, reason: String) {
    lock.lock()
    sessions[id]?.pending = nil
    lock.unlock()
    send(ProtocolError.moved(reason).errorFrame.encoded(), to: id)
    transport.close(id, code: Self.movedCloseCode, reason: "document moved; reconnect")
  }

  /// Drops the rooms of documents whose lease this node lost: their sessions are closed
  /// with `movedCloseCode` and reconnect to the new owner, which replays the log.
  func dropRooms(_ documents: [DocumentID]) {
    lock.lock()
    var closing: [ConnectionID] = []
    for document in documents {
      guard rooms.removeValue(forKey: document) != nil else { continue }
      for (id, session) in sessions where session.document == document {
        sessions[id]?.room = nil
        closing.append(id)
      }
    }
    lock.unlock()
    for id in closing {
      transport.close(id, code: Self.movedCloseCode, reason: "document moved; reconnect")
    }
    if !closing.isEmpty {
      logger.warning(
        "lease lost: rooms dropped",
        metadata: ["docs": "\(documents.map(\.rawValue))", "sessions": "\(closing.count)"])
    }
  }

  /// Prometheus lines for the leases (empty on SQLite).
  func ownershipMetrics() -> String {
    guard let ownership = store.ownership else { return "" }
    let counters = ownership.counters
    return [
      "# HELP latitude_documents_owned Documents whose lease this node holds.",
      "# TYPE latitude_documents_owned gauge",
      "latitude_documents_owned \(ownership.owned.count)",
      "# HELP latitude_ownership_acquired_total Document leases this node took.",
      "# TYPE latitude_ownership_acquired_total counter",
      "latitude_ownership_acquired_total \(counters.acquired)",
      "# HELP latitude_ownership_taken_from_dead_total Leases taken from a node whose process was gone.",
      "# TYPE latitude_ownership_taken_from_dead_total counter",
      "latitude_ownership_taken_from_dead_total \(counters.takenFromDeadOwner)",
      "# HELP latitude_ownership_lost_total Document leases this node lost (expired or taken).",
      "# TYPE latitude_ownership_lost_total counter",
      "latitude_ownership_lost_total \(counters.lost)",
      "# HELP latitude_fenced_appends_total Appends refused because this node no longer held the lease.",
      "# TYPE latitude_fenced_appends_total counter",
      "latitude_fenced_appends_total \(counters.fenced)",
    ].joined(separator: "\n") + "\n"
  }
}
