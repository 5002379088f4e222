import Canvas
import Foundation
import Latent

/// Batches appends from many callers into few transactions: the group commit.
///
/// Callers submit requests from any thread. One writer thread takes everything queued
/// (waiting up to `window` for more when the queue is short), commits it in one
/// transaction, then completes each request. A completion therefore means durable: every
/// seq it reports survives SIGKILL. If the transaction fails, every request in it fails.
public final class GroupCommitter: @unchecked Sendable {
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
  private let condition = NSCondition()
  private var queue: [Pending] = []
  private var pendingOps = 0
  private var stopping = false
  private var thread: Thread?
  private let finished = DispatchSemaphore(value: 0)
  private let completions = DispatchQueue(label: "latitude.group-commit.completions")

  /// Starts the writer thread.
  /// - Parameters:
  ///   - window: how long to wait for more requests when the queue holds less than a full
  ///     batch. Default 2 ms.
  ///   - maxBatchOps: most ops in one transaction. Default 4,096.
  ///   - maxQueuedOps: most ops waiting; beyond it `submit` fails fast with `.overloaded`.
  public init(
    store: CanvasStore, window: Duration = .milliseconds(2), maxBatchOps: Int = 4_096,
    maxQueuedOps: Int = 100_000
  ) {
    self.store = store
    self.window = window
    self.maxBatchOps = maxBatchOps
    self.maxQueuedOps = maxQueuedOps
    let thread = Thread { self.run() }
    thread.name = "latitude.group-commit"
    self.thread = thread
    thread.start()
  }

  /// Ops waiting to be committed.
  public var queuedOps: Int {
    condition.lock()
    defer { condition.unlock() }
    return pendingOps
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
    condition.lock()
    if stopping || pendingOps + request.ops.count > maxQueuedOps {
      let stopped = stopping
      condition.unlock()
      completion(.failure(stopped ? .closed : .overloaded))
      return
    }
    let wasEmpty = self.queue.isEmpty
    self.queue.append(Pending(request: request, completion: completion, queue: queue))
    pendingOps += request.ops.count
    // Wake the writer only when it has something new to decide: its first request, or a
    // full batch. Signalling on every submit would cost a context switch per op.
    if wasEmpty || (pendingOps >= maxBatchOps && pendingOps - request.ops.count < maxBatchOps) {
      condition.signal()
    }
    condition.unlock()
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
    condition.lock()
    let alreadyStopping = stopping
    stopping = true
    condition.signal()
    condition.unlock()
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
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty && !stopping { condition.wait() }
    if queue.isEmpty { return nil }
    if pendingOps < maxBatchOps && !stopping && window > .zero {
      let deadline = Date().addingTimeInterval(window.seconds)
      while pendingOps < maxBatchOps && !stopping && condition.wait(until: deadline) {}
    }
    var taken = 0
    var count = 0
    for pending in queue {
      if count > 0 && taken + pending.request.ops.count > maxBatchOps { break }
      taken += pending.request.ops.count
      count += 1
    }
    let batch = Array(queue.prefix(count))
    queue.removeFirst(count)
    pendingOps -= taken
    return batch
  }
}
