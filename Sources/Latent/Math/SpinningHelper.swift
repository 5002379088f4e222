import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A second thread that splits fine-grained work with its caller, for single-sentence
/// latency. A forward pass has ~40 parallel regions of ~50–200 µs each; waking a sleeping
/// pool thread for each costs tens of microseconds, so the helper spins between regions
/// and parks only after `spinLimit` without work.
///
/// The second half of each region goes to whichever thread claims it first: a caller that
/// finishes its half before the helper has started (the helper was descheduled because the
/// "idle" core is busy after all, e.g. with the service thread or clients on the same
/// machine) runs the other half itself instead of waiting for it, so borrowing never makes
/// a region slower than running it alone. Spinning threads yield to other runnable threads
/// on their core.
///
/// One caller at a time: `acquire` returns false when another caller holds the helper, and
/// that caller should run the work itself.
// @unchecked: `job` is written before `published` is bumped, read after (release/acquire).
final class SpinningHelper: @unchecked Sendable {
  /// Shared by every encoder and decoder in the process.
  static let shared = SpinningHelper()

  /// The generation of the latest job.
  private let published = Atomic<Int>(0)
  /// The latest generation whose second half has been claimed (by the helper or the caller).
  private let claimed = Atomic<Int>(0)
  /// The latest generation whose second half the helper has finished.
  private let completed = Atomic<Int>(0)
  private let parked = Atomic<Bool>(false)
  private let busy = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  /// The current job; written before `published` is bumped, read after it is seen.
  private var job: (@Sendable (Int) -> Void)?
  private let spinLimit: Duration = .microseconds(300)
  /// The helper's nice value (Linux keeps it per thread), that of `latitude serve`'s decode
  /// workers.
  static let niceness: Int32 = 10
  /// Second halves the helper ran, and those the caller took back.
  private let helperHalves = Atomic<Int>(0)
  private let callerHalves = Atomic<Int>(0)

  private init() {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = "latitude.encoder-helper"
    thread.start()
  }

  /// Holds the helper for a sequence of `run` calls; false if another caller holds it.
  func acquire() -> Bool {
    busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
  }

  /// Releases the helper.
  func release() {
    busy.store(false, ordering: .releasing)
  }

  /// How many second halves the helper ran and how many the caller ran itself.
  var halves: (helper: Int, caller: Int) {
    (helperHalves.load(ordering: .relaxed), callerHalves.load(ordering: .relaxed))
  }

  /// Runs `body(0)` here and `body(1)` on the helper, or here too when the helper has not
  /// started it by the time `body(0)` is done; returns when both are done. The caller must
  /// hold the helper (`acquire`).
  func run(_ body: @escaping @Sendable (Int) -> Void) {
    job = body
    let generation = published.add(1, ordering: .sequentiallyConsistent).newValue
    if parked.load(ordering: .sequentiallyConsistent) { wake.signal() }
    body(0)
    if claim(generation) {
      body(1)
      callerHalves.add(1, ordering: .relaxed)
      return
    }
    var spins = 0
    while completed.load(ordering: .acquiring) != generation {
      spins += 1
      if spins > 256 { Self.yieldCore() }
    }
  }

  /// Claims `generation`'s second half; false if the other thread has it.
  private func claim(_ generation: Int) -> Bool {
    claimed.compareExchange(
      expected: generation - 1, desired: generation, ordering: .acquiringAndReleasing
    ).exchanged
  }

  /// Lets another runnable thread on this core run (returns at once when there is none).
  private static func yieldCore() {
    #if canImport(Glibc)
      sched_yield()
    #endif
  }

  private func loop() {
    #if canImport(Glibc)
      // Nice as the server's decode workers (whose work it shares), whichever thread
      // happened to create it: the relay's service thread must not wait behind a spinner.
      _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
    #endif
    var seen = 0
    while true {
      let clock = ContinuousClock()
      let deadline = clock.now.advanced(by: spinLimit)
      var generation = published.load(ordering: .acquiring)
      while generation == seen && clock.now < deadline {
        Self.yieldCore()
        generation = published.load(ordering: .acquiring)
      }
      if generation == seen {
        parked.store(true, ordering: .sequentiallyConsistent)
        if published.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
        parked.store(false, ordering: .sequentiallyConsistent)
        continue
      }
      seen = generation
      // The caller may have taken this half back (it finished its own first).
      guard claim(generation) else { continue }
      job?(1)
      helperHalves.add(1, ordering: .relaxed)
      completed.store(generation, ordering: .releasing)
    }
  }
}
