import Dispatch
import Foundation
import Synchronization

/// A second thread that splits fine-grained work with its caller, for single-sentence
/// latency. A forward pass has ~40 parallel regions of ~50–200 µs each; waking a sleeping
/// pool thread for each costs tens of microseconds, so the helper spins between regions
/// and parks only after `spinLimit` without work.
///
/// One caller at a time: `tryRun` returns false when another caller holds the helper, and
/// that caller should run the work itself.
// @unchecked: `job` is written before `published` is bumped, read after (release/acquire).
final class SpinningHelper: @unchecked Sendable {
  /// Shared by every encoder in the process.
  static let shared = SpinningHelper()

  private let published = Atomic<Int>(0)
  private let completed = Atomic<Int>(0)
  private let parked = Atomic<Bool>(false)
  private let busy = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  /// The current job; written before `published` is bumped, read after it is seen.
  private var job: (@Sendable (Int) -> Void)?
  private let spinLimit: Duration = .microseconds(300)

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

  /// Runs `body(0)` here and `body(1)` on the helper, returning when both are done.
  /// The caller must hold the helper (`acquire`).
  func run(_ body: @escaping @Sendable (Int) -> Void) {
    job = body
    let generation = published.add(1, ordering: .sequentiallyConsistent).newValue
    if parked.load(ordering: .sequentiallyConsistent) { wake.signal() }
    body(0)
    while completed.load(ordering: .acquiring) != generation {}
  }

  private func loop() {
    var seen = 0
    while true {
      let clock = ContinuousClock()
      let deadline = clock.now.advanced(by: spinLimit)
      var generation = published.load(ordering: .acquiring)
      while generation == seen && clock.now < deadline {
        generation = published.load(ordering: .acquiring)
      }
      if generation == seen {
        parked.store(true, ordering: .sequentiallyConsistent)
        if published.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
        parked.store(false, ordering: .sequentiallyConsistent)
        continue
      }
      seen = generation
      job?(1)
      completed.store(generation, ordering: .releasing)
    }
  }
}
