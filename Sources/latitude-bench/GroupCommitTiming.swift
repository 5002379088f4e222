import CommandSupport
import Canvas
import CanvasStore
import Dispatch
import Synchronization

/// Submits each op as its own request, as many clients would, waits for every commit and
/// returns the seconds it took. A batch up to the committer's queue limit (100,000 ops)
/// never blocks on submit.
/// - Throws: `CLIError` naming the first op that was not committed.
func timeGroupCommit(_ batch: [Op], committer: GroupCommitter, document: DocumentID) throws
  -> Double
{
  let group = DispatchGroup()
  let failures = FirstFailure()
  let start = DispatchTime.now()
  for op in batch {
    group.enter()
    committer.submit(AppendRequest(document: document, ops: [op], mode: .live)) { result in
      if case .success(let outcomes) = result, case .committed = outcomes[0] {
      } else {
        failures.record("\(result)")
      }
      group.leave()
    }
  }
  group.wait()
  let elapsed = secondsSince(start)
  if let first = failures.first { throw CLIError("append failed: \(first)") }
  return elapsed
}

/// Keeps the first failure reported from the commit thread.
private final class FirstFailure: Sendable {
  private let seen = Mutex<String?>(nil)
  var first: String? { seen.withLock { $0 } }
  func record(_ message: String) {
    seen.withLock { if $0 == nil { $0 = message } }
  }
}
