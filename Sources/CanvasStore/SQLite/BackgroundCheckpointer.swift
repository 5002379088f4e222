import Dispatch
import Foundation
import Logging
import Synchronization

/// Runs WAL checkpoints on its own connection and queue, so the writer never stops to
/// copy the WAL back into the database file. The writer connection has automatic
/// checkpoints turned off and calls `noteWritten(bytes:)` after each commit; every
/// `threshold` bytes a PASSIVE checkpoint is queued (at most one at a time). PASSIVE never
/// blocks the writer or readers.
final class BackgroundCheckpointer: Sendable {
  /// Its own connection, used only by checkpoints (one at a time).
  private let connection: Mutex<SQLiteConnection>
  private let queue = DispatchQueue(label: "latitude.checkpoint", qos: .utility)
  private let threshold: Int
  private let logger: Logger
  /// Bytes committed since the last checkpoint, and whether one is queued or running.
  private let progress = Mutex((pendingBytes: 0, inFlight: false))

  init(path: String, threshold: Int = 32 << 20, logger: Logger) throws(SQLiteError) {
    connection = Mutex(try SQLiteConnection(path: path, create: false))
    self.threshold = threshold
    self.logger = logger
  }

  /// Counts bytes committed since the last checkpoint and queues one when due.
  func noteWritten(bytes: Int) {
    let due = progress.withLock { progress in
      progress.pendingBytes += bytes
      guard progress.pendingBytes >= threshold, !progress.inFlight else { return false }
      progress = (0, true)
      return true
    }
    if due { queue.async { self.checkpoint() } }
  }

  private func checkpoint() {
    run()
    progress.withLock { $0.inFlight = false }
  }

  private func run() {
    do {
      try connection.withLock { try $0.execute("PRAGMA wal_checkpoint(PASSIVE)") }
    } catch {
      logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
    }
  }
}
