import CommandSupport
import Foundation
import Synchronization

/// A one-line progress bar on stderr, drawn only when stderr is a terminal. Safe to update
/// from several threads.
final class ProgressBar: Sendable {
  private let total: Int
  private let label: String
  private let enabled = isatty(STDERR_FILENO) != 0
  private let start = Date()
  private let lastDraw = Mutex(Date.distantPast)

  init(total: Int, label: String) {
    self.total = total
    self.label = label
  }

  /// Redraws at most ten times a second.
  func update(_ done: Int) {
    guard enabled else { return }
    // Drawn under the lock, so lines from two threads never interleave.
    lastDraw.withLock { last in
      guard Date().timeIntervalSince(last) > 0.1 || done == total else { return }
      last = Date()
      let width = 30
      let filled = total == 0 ? width : width * done / total
      let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-3)
      let bar =
        String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
      FileHandle.standardError.write(
        Data("\r\(label) [\(bar)] \(done)/\(total) \(Int(rate))/s".utf8))
    }
  }

  func finish() {
    if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
