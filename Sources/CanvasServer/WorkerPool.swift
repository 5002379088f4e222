import Dispatch
import Foundation
import Synchronization

/// Threads for slow request work (REST reads, folds, encodes) that run at a lower
/// scheduling priority than the service thread, so on a busy machine the drag relay
/// always gets a core first. Jobs run in the order they were queued.
final class WorkerPool: Sendable {
  private let jobs = Mutex<[@Sendable () -> Void]>([])
  private let wake = DispatchSemaphore(value: 0)

  /// Starts `threads` threads at `niceness` (0–19; higher yields more).
  init(threads: Int, niceness: Int32, name: String) {
    for index in 0..<max(1, threads) {
      let thread = Thread { [self] in
        // Linux keeps the nice value per thread: who = 0 lowers this worker only.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        while true {
          wake.wait()
          let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
          job?()
        }
      }
      thread.name = "\(name)-\(index)"
      thread.start()
    }
  }

  /// Queues `job`.
  func async(_ job: @escaping @Sendable () -> Void) {
    jobs.withLock { $0.append(job) }
    wake.signal()
  }
}
