import Dispatch
import Foundation
import Logging

/// Runs WAL checkpoints on its own connection and queue, so the writer never stops to
/// copy the WAL back into the database file. The writer connection has automatic
/// checkpoints turned off and calls `noteWritten(bytes:)` after each commit; every
/// `threshold` bytes a PASSIVE checkpoint is queued (at most one at a time). PASSIVE never
/// blocks the writer or readers.
final class BackgroundCheckpointer: @unchecked Sendable {
  private let connection: SQLiteConnection
  private let queue = DispatchQueue(label: "latitude.checkpoint", qos: .utility)
  private let threshold: Int
  private let logger: Logger
  private let lock = NSLock()
  private var pendingBytes = 0
  private var inFlight = false

  init(path: String, threshold: Int = 32 << 20, logger: Logger) throws(SQLiteError) {
    connection = try SQLiteConnection(path: path, create: false)
    self.threshold = threshold
    self.logger = logger
  }

  /// Counts bytes committed since the last checkpoint and queues one when due.
  func noteWritten(bytes: Int) {
    lock.lock()
    pendingBytes += bytes
    let due = pendingBytes >= threshold && !inFlight
    if due {
      pendingBytes = 0
      inFlight = true
    }
    lock.unlock()
    if due { queue.async { self.checkpoint() } }
  }

  private func checkpoint() {
    run()
    lock.lock()
    inFlight = false
    lock.unlock()
  }

  private func run() {
    do {
      try connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    } catch {
      logger.warning("WAL checkpoint failed; will retry", metadata: ["error": "\(error)"])
    }
  }
}
