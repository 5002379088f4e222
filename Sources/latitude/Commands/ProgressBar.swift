import CommandSupport
import Foundation
import Synchronization

/// Progress of long work on stderr: a one-line bar redrawn in place when stderr is a
/// terminal, and otherwise (a log file, a pipe) a plain line every `logInterval` seconds
/// and at the end, so a long run in the background still says how far it is. Safe to
/// update from several threads.
final class ProgressBar: Sendable {
  private let total: Int
  private let label: String
  private let terminal = isatty(STDERR_FILENO) != 0
  private let logInterval: TimeInterval
  private let start = Date()
  /// When the last line was drawn: a terminal's bar is drawn at once; a log's first line
  /// waits `logInterval` from the start, so work that ends quickly logs nothing.
  private let lastDraw: Mutex<Date>

  init(total: Int, label: String, logInterval: TimeInterval = 30) {
    self.total = total
    self.label = label
    self.logInterval = logInterval
    lastDraw = Mutex(terminal ? .distantPast : start)
  }

  /// Redraws at most ten times a second on a terminal; logs a line every `logInterval`
  /// seconds (and when done) elsewhere.
  func update(_ done: Int) {
    // Drawn under the lock, so lines from two threads never interleave.
    lastDraw.withLock { last in
      let now = Date()
      let finished = done >= total
      if terminal {
        guard now.timeIntervalSince(last) > 0.1 || finished else { return }
      } else {
        // The end is logged when the work took at least one interval.
        let since = finished ? start : last
        guard now.timeIntervalSince(since) >= logInterval else { return }
      }
      last = now
      FileHandle.standardError.write(Data(line(done, now: now).utf8))
    }
  }

  /// The bar (terminal) or the log line for `done` of `total`.
  func line(_ done: Int, now: Date) -> String {
    let elapsed = max(now.timeIntervalSince(start), 1e-3)
    let rate = Double(done) / elapsed
    let left = rate > 0 && done < total ? Double(total - done) / rate : 0
    let eta = done < total && rate > 0 ? ", \(Self.duration(left)) left" : ""
    if terminal {
      let width = 30
      let filled = total == 0 ? width : width * min(done, total) / total
      let bar =
        String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
      return "\r\(label) [\(bar)] \(done)/\(total) \(Int(rate))/s\(eta)   "
    }
    let percent = total == 0 ? 100 : 100 * min(done, total) / total
    let name = label.trimmingCharacters(in: .whitespaces)
    return "\(name): \(done)/\(total) (\(percent)%), \(Int(rate))/s\(eta)\n"
  }

  /// "45 s", "12 min", "1 h 05 min".
  static func duration(_ seconds: TimeInterval) -> String {
    let whole = Int(seconds.rounded())
    if whole < 90 { return "\(whole) s" }
    if whole < 5400 { return "\((whole + 30) / 60) min" }
    let minutes = (whole + 30) / 60
    return "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min"
  }

  func finish() {
    if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
