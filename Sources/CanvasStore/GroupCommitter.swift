import Canvas
import Foundation
import LatentMath
import Synchronization

/// Batches appends from many callers into few transactions: the group commit.
///
/// Callers submit requests from any thread. One writer thread takes everything queued,
/// commits it in one transaction, then completes each request. Requests that arrive
/// during a transaction form the next one, so batches grow with the load by themselves; a
/// `window` (none by default) makes the writer also wait for more when the queue is short.
/// A completion therefore means durable: every seq it reports survives SIGKILL. If the
/// transaction fails, every request in it fails.
///
/// The server commits without a window: with `make bench-settle`'s busy relay a 2 ms
/// window made a committed move reach peers about 3 ms later at p99 (12–13 ms against
/// 9 ms), and `make bench-fanout`'s delivery rate was the same without it.
public final class GroupCommitter: Sendable {
  /// Called once per request with its outcomes, or the error that failed its batch.
  public typealias Completion = @Sendable (Result<[AppendOutcome], StoreError>) -> Void

  private struct Pending {
    var request: AppendRequest
    var completion: Completion
    /// Where the completion runs; nil for the committer's own completion queue.
    var queue: DispatchQueue?
  }

  private let store: CanvasStore
  private let window: Duration
  private let maxBatchOps: Int
  private let maxQueuedOps: Int
  /// What is waiting for the writer.
  private struct Waiting {
    var requests: [Pending] = []
    var ops = 0
    var stopping = false
  }
  private let waiting = Mutex(Waiting())
  /// Wakes the writer: on a first request, on a full batch, and at shutdown. A stale
  /// signal only makes the writer look again (or end a window early).
  private let wake = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)
  private let completions = DispatchQueue(label: "latitude.group-commit.completions")

  /// Starts the writer thread.
  /// - Parameters:
  ///   - window: how long to wait for more requests when the queue holds less than a full
  ///     batch. Default none.
  ///   - maxBatchOps: most ops in one transaction. Default 4,096.
  ///   - maxQueuedOps: most ops waiting; beyond it `submit` fails fast with `.overloaded`.
  public init(
    store: CanvasStore, window: Duration = .zero, maxBatchOps: Int = 4_096,
    maxQueuedOps: Int = 100_000
  ) {
    self.store = store
    self.window = window
    self.maxBatchOps = maxBatchOps
    self.maxQueuedOps = maxQueuedOps
    let thread = Thread { self.run() }
    thread.name = "latitude.group-commit"
    thread.start()
  }

  /// Ops waiting to be committed.
  public var queuedOps: Int {
    waiting.withLock { $0.ops }
  }

  /// Queues a request. `completion` runs after the commit, on the committer's completion
  /// queue (serial: completions arrive in commit order).
  public func submit(_ request: AppendRequest, completion: @escaping Completion) {
    submit(request, on: nil, completion: completion)
  }

  /// Queues a request whose completion runs on `queue` (a room's own serial queue, say),
  /// saving a hop. Completions for one serial queue arrive in commit order.
  public func submit(
    _ request: AppendRequest, on queue: DispatchQueue?, completion: @escaping Completion
  ) {
    enum Admission { case refused(StoreError), queued(wakeWriter: Bool) }
    let pending = Pending(request: request, completion: completion, queue: queue)
    let admission = waiting.withLock { waiting -> Admission in
      if waiting.stopping { return .refused(.closed) }
      if waiting.ops + request.ops.count > maxQueuedOps { return .refused(.overloaded) }
      let wasEmpty = waiting.requests.isEmpty
      waiting.requests.append(pending)
      waiting.ops += request.ops.count
      // Wake the writer only when it has something new to decide: its first request, or a
      // full batch. Signalling on every submit would cost a context switch per op.
      return .queued(
        wakeWriter: wasEmpty
          || (waiting.ops >= maxBatchOps && waiting.ops - request.ops.count < maxBatchOps))
    }
    switch admission {
    case .refused(let error): completion(.failure(error))
    case .queued(let wakeWriter): if wakeWriter { wake.signal() }
    }
  }

  /// Appends and waits for the commit.
  public func append(_ request: AppendRequest) async throws(StoreError) -> [AppendOutcome] {
    let result = await withCheckedContinuation { continuation in
      submit(request) { continuation.resume(returning: $0) }
    }
    return try result.get()
  }

  /// Commits what is queued, runs every completion, then stops the writer thread. Later
  /// submits fail with `.closed`.
  public func shutdown() {
    let alreadyStopping = waiting.withLock { waiting in
      defer { waiting.stopping = true }
      return waiting.stopping
    }
    wake.signal()
    if !alreadyStopping { finished.wait() }
  }

  private func run() {
    while let batch = nextBatch() {
      let results: Result<[[AppendOutcome]], StoreError>
      do {
        results = .success(try store.append(batch.map(\.request)))
      } catch {
        results = .failure(error)
      }
      // Completions (and freeing the batch) run on their own serial queue, in order, so
      // the writer goes straight on to the next transaction.
      var own: [(Pending, Result<[AppendOutcome], StoreError>)] = []
      for (index, pending) in batch.enumerated() {
        let result = results.map { $0[index] }
        if let target = pending.queue {
          target.async { pending.completion(result) }
        } else {
          own.append((pending, result))
        }
      }
      if !own.isEmpty {
        let ownCompletions = own
        completions.async {
          for (pending, result) in ownCompletions { pending.completion(result) }
        }
      }
    }
    completions.sync {}
    finished.signal()
  }

  /// Waits for work, then takes up to `maxBatchOps` ops' worth of requests; nil once
  /// stopping with nothing left.
  private func nextBatch() -> [Pending]? {
    while true {
      let (empty, stopping) = waiting.withLock { ($0.requests.isEmpty, $0.stopping) }
      if !empty { break }
      if stopping { return nil }
      wake.wait()
    }
    if window > .zero {
      let deadline = DispatchTime.now() + window.seconds
      while waiting.withLock({ $0.ops < maxBatchOps && !$0.stopping }),
        wake.wait(timeout: deadline) == .success
      {}
    }
    return waiting.withLock { waiting in
      var taken = 0
      var count = 0
      for pending in waiting.requests {
        if count > 0 && taken + pending.request.ops.count > maxBatchOps { break }
        taken += pending.request.ops.count
        count += 1
      }
      let batch = Array(waiting.requests.prefix(count))
      waiting.requests.removeFirst(count)
      waiting.ops -= taken
      return batch
    }
  }
}
