import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal. Safe to update
/// from several threads.
final class ProgressBar: @unchecked Sendable {
  private let lock = NSLock()
  private let total: Int
  private let label: String
  private let enabled = isatty(STDERR_FILENO) != 0
  private let start = Date()
  private var lastDraw = Date.distantPast

  init(total: Int, label: String) {
    self.total = total
    self.label = label
  }

  /// Redraws at most ten times a second.
  func update(_ done: Int) {
    lock.lock()
    defer { lock.unlock() }
    guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
    lastDraw = Date()
    let width = 30
    let filled = total == 0 ? width : width * done / total
    let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-3)
    let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
    FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) \(Int(rate))/s".utf8))
  }

  func finish() {
    if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
