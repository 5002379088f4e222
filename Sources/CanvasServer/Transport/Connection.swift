import CLibWebSockets
import Foundation

/// Service-thread state of one WebSocket connection.
final class Connection {
  let id: ConnectionID
  let wsi: OpaquePointer
  let path: String
  /// The message being reassembled from fragments.
  var incoming = Data()
  /// Messages waiting for the socket, oldest first.
  var queue: [OutgoingFrame] = []
  var queuedBytes = 0
  /// The part of `queuedBytes` that is bulk frames (join snapshots).
  var bulkBytes = 0
  /// Set once a close was requested: sent when the queue before it drains.
  var closing: (code: UInt16, reason: String)?

  init(id: ConnectionID, wsi: OpaquePointer, path: String) {
    self.id = id
    self.wsi = wsi
    self.path = path
  }
}
