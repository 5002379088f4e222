import Foundation
import Synchronization
import Testing

@testable import Latent

/// The spinning helper: each region's two halves run exactly once, on the helper or, when
/// the caller finishes its own half first, on the caller.
@Suite(.serialized) struct SpinningHelperTests {
  /// Holds the shared helper, waiting while another test's encode holds it.
  static func hold() -> Bool {
    for _ in 0..<10_000 {
      if SpinningHelper.shared.acquire() { return true }
      usleep(1000)
    }
    return false
  }

  @Test func everyHalfRunsOnceWhoeverClaimsIt() {
    let helper = SpinningHelper.shared
    guard Self.hold() else {
      Issue.record("the helper stayed busy")
      return
    }
    defer { helper.release() }
    let before = helper.halves
    let regions = 2000
    let runs = Mutex([Int](repeating: 0, count: 2 * regions))
    for region in 0..<regions {
      helper.run { half in
        // Uneven halves: sometimes the caller's is done before the helper wakes.
        if half == 0, region % 3 == 0 {
          var sink = 0
          for i in 0..<2000 { sink &+= i }
          precondition(sink > 0)
        }
        runs.withLock { $0[2 * region + half] += 1 }
      }
    }
    #expect(runs.withLock { $0.allSatisfy { $0 == 1 } }, "each half once")
    let after = helper.halves
    #expect((after.helper - before.helper) + (after.caller - before.caller) == regions)
  }

  @Test func aSecondCallerIsTurnedAway() {
    let helper = SpinningHelper.shared
    #expect(Self.hold())
    #expect(!helper.acquire(), "one caller at a time")
    helper.release()
  }
}
