import Foundation
import Synchronization
import Testing

@testable import Latent

/// The service-thread mark the store and encoder assert against in debug builds.
@Suite struct ServiceThreadTests {
  @Test func onlyTheMarkedThreadIsTheServiceThread() {
    #expect(!ServiceThread.isCurrent)
    let done = DispatchSemaphore(value: 0)
    let seen = Flag()
    let thread = Thread {
      ServiceThread.markCurrent()
      seen.set(ServiceThread.isCurrent)
      done.signal()
    }
    thread.start()
    done.wait()
    #expect(seen.value, "the marked thread knows it")
    #expect(!ServiceThread.isCurrent, "other threads are not marked")
  }
}

/// A flag set on one thread and read on another.
final class Flag: Sendable {
  private let stored = Atomic<Bool>(false)
  func set(_ value: Bool) { stored.store(value, ordering: .sequentiallyConsistent) }
  var value: Bool { stored.load(ordering: .sequentiallyConsistent) }
}
