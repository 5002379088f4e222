import Dispatch
import Foundation
import Latent
import Logging
import Synchronization

/// Runs decodes for every room on a fixed pool of worker threads (cores − 1, at least one,
/// each with single-threaded BLAS), so the libwebsockets service thread is never starved.
///
/// Jobs coalesce by key (one per node): a newer job for a node replaces the one still
/// waiting, so the newest move wins and a burst of moves costs one decode. A committed move
/// also stops the decode of an older move of its node that is running (between generation
/// steps). A preview (a drag position) does not stop a running preview of its node: that
/// one finishes and is shown (its frame names its own position), and the newest waiting
/// position runs next; otherwise, with a drag sending positions faster than a preview
/// decodes, every preview would be stopped and a dragger would see no text until the drag
/// paused. Committed moves run before previews, and a committed move that arrives while
/// previews are being decoded stops them between generation steps; they go back to the
/// head of the preview queue (unless a newer job for their key is waiting) and run again
/// after it. Previews are bounded: when `previewCapacity` are waiting, new preview keys are
/// refused (the caller simply shows no preview). Committed jobs are never refused; their
/// number is bounded by the number of nodes being moved.
final class DecodeScheduler: Sendable {
  /// One decode request.
  struct Job: Sendable {
    var key: String
    var latent: [Float]
    var effort: DecodeEffort
    /// What the edit that made the point asked for (an axis moved, a feature on); texts
    /// that meet it are preferred when nearly as close.
    var intents: [DecodeIntent] = []
    /// Early stages (bank, greedy) as they are found, for a progressive decode; nil for a
    /// one-pass decode. Not called for a job that was superseded meanwhile.
    var onStage: (@Sendable (StagedText) -> Void)? = nil
    var completion: @Sendable (Result<DecodeResult, DecoderError>) -> Void
    /// When it was queued.
    var queuedAt = ContinuousClock.now
  }

  /// The waiting and running jobs.
  private struct Queue {
    var committed: [String: Job] = [:]
    var committedOrder: [String] = []
    var previews: [String: Job] = [:]
    var previewOrder: [String] = []
    var stopping = false
    /// Keys being decoded now, with a flag a newer job for the same key sets: the running
    /// decode then stops early and its result is dropped (the newer job answers instead).
    var running: [String: CancelFlag] = [:]

    var depth: Int { committed.count + previews.count }
  }

  let decoder: any BatchDecoding
  let workers: Int
  /// Jobs one worker decodes together (rows of one batch share the weight traffic).
  let batchLimit: Int
  /// Under load: the most generated candidates a committed job gets, and the most jobs a
  /// worker takes at once, while other committed jobs wait behind them (`BusyEffort`).
  let busy: BusyEffort
  private let cache: DecodeCache
  private let previewCapacity: Int
  /// The favour of every job's intents (`DecodeIntent.weighted`); 0 drops them.
  private let intentMargin: Float
  private let queue = Mutex(Queue())
  /// Signalled once per newly queued key (and once per worker at stop); a worker that
  /// wakes to an empty queue (its job was taken in another's batch) waits again.
  private let wake = DispatchSemaphore(value: 0)
  private let logger: Logger
  private let stats = DecodeStats()
  /// Where a progressive job's first stage (a bank scan, a few ms) is found as soon as it
  /// is queued, so the first readable text never waits for a decode worker. Jobs queued
  /// while a scan runs are found together by the next one (one pass over the bank).
  private let quickStages = DispatchQueue(label: "latitude.decode.stage", qos: .userInitiated)
  /// Where a progressive job's stages go.
  typealias StageReport = @Sendable (StagedText) -> Void
  /// Progressive jobs waiting for their first stage.
  private let awaitingQuickStage = Mutex<[(latent: [Float], report: StageReport)]>([])

  init(
    decoder: any BatchDecoding, workers: Int, cacheCapacity: Int = 2048,
    previewCapacity: Int = 64, batchLimit: Int = 4, busy: BusyEffort = .measured,
    intentMargin: Float = DecodeIntent.margin, logger: Logger
  ) {
    self.decoder = decoder
    self.busy = busy
    self.intentMargin = intentMargin
    self.batchLimit = max(1, batchLimit)
    self.workers = max(1, workers)
    self.cache = DecodeCache(capacity: cacheCapacity)
    self.previewCapacity = max(1, previewCapacity)
    self.logger = logger
    for index in 0..<self.workers {
      let thread = Thread { [self] in work() }
      thread.name = "latitude-decode-\(index)"
      thread.stackSize = 1 << 22
      thread.start()
    }
  }

  /// Queues a bank scan for `latent`'s first stage; a scan already queued takes it along.
  private func findQuickStage(_ latent: [Float], report: @escaping StageReport) {
    let first = awaitingQuickStage.withLock { waiting in
      waiting.append((latent, report))
      return waiting.count == 1
    }
    guard first else { return }
    quickStages.async { [self] in
      let batch = awaitingQuickStage.withLock { waiting in
        defer { waiting.removeAll() }
        return waiting
      }
      for (stage, waiting) in zip(decoder.quickStages(batch.map(\.latent)), batch) {
        if let stage { waiting.report(stage) }
      }
    }
  }

  /// The default pool size: one core is left to the service thread and the rooms.
  static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

  /// Queues a decode of a committed latent write. Replaces a waiting job with the same key.
  /// A progressive job's first stage is found at once, beside the queue.
  func submit(_ job: Job) {
    let job = weighted(job)
    if let onStage = job.onStage { findQuickStage(job.latent, report: onStage) }
    let added = queue.withLock { queue in
      queue.running[job.key]?.cancel()
      let added = queue.committed.updateValue(job, forKey: job.key) == nil
      if added { queue.committedOrder.append(job.key) }
      stats.queued(depth: queue.depth)
      return added
    }
    if added { wake.signal() } else { stats.coalesced() }
  }

  /// Queues a preview decode. Returns false when the preview queue is full.
  @discardableResult
  func submitPreview(_ job: Job) -> Bool {
    let job = weighted(job)
    enum Outcome { case replaced, refused, added }
    let outcome = queue.withLock { queue -> Outcome in
      // A running preview of this key is left to finish (see the type's comment).
      if queue.previews[job.key] != nil {
        queue.previews[job.key] = job
        return .replaced
      }
      guard queue.previews.count < previewCapacity else { return .refused }
      queue.previews[job.key] = job
      queue.previewOrder.append(job.key)
      stats.queued(depth: queue.depth)
      return .added
    }
    switch outcome {
    case .replaced: stats.coalesced()
    case .refused: stats.previewRefused()
    case .added: wake.signal()
    }
    return outcome != .refused
  }

  /// The job with its intents weighted by the configured margin.
  private func weighted(_ job: Job) -> Job {
    guard !job.intents.isEmpty else { return job }
    var job = job
    job.intents = DecodeIntent.weighted(job.intents, favour: intentMargin)
    return job
  }

  /// Stops the workers after the jobs they hold (queued jobs are dropped).
  func stop() {
    queue.withLock { $0.stopping = true }
    for _ in 0..<workers { wake.signal() }
  }

  /// Records a result dropped because its write was superseded.
  func noteSuperseded() { stats.superseded() }

  /// Counters for /metrics.
  var snapshot: DecodeStats.Snapshot {
    stats.snapshot(depth: queue.withLock { $0.depth })
  }

  /// Whether a committed job is waiting (a running preview batch then stops).
  private var committedWaiting: Bool { queue.withLock { !$0.committedOrder.isEmpty } }

  /// Puts preempted previews back at the head of the preview queue, unless a newer job
  /// for the same key has been queued meanwhile (it answers instead).
  private func requeue(_ previews: [Job]) {
    let added = queue.withLock { queue in
      var added = 0
      for job in previews.reversed() where queue.previews[job.key] == nil {
        queue.previews[job.key] = job
        queue.previewOrder.insert(job.key, at: 0)
        added += 1
      }
      return added
    }
    stats.preempted(previews.count)
    for _ in 0..<added { wake.signal() }
  }

  /// Up to `batchLimit` jobs to decode together (committed ones first, else previews),
  /// registered as running, and whether they are previews; nil once the pool stops.
  private func next() -> (jobs: [(Job, CancelFlag)], previews: Bool)? {
    while true {
      wake.wait()
      let taken = queue.withLock { queue -> (jobs: [(Job, CancelFlag)], previews: Bool)? in
        if queue.stopping {
          wake.signal()  // pass the stop on to the next sleeping worker
          return nil
        }
        var jobs: [Job] = []
        let previews = queue.committedOrder.isEmpty
        if !previews {
          // While other committed jobs wait, take a smaller batch at the busy effort, so
          // the queue drains sooner (`BusyEffort`).
          let crowded = queue.committedOrder.count > 1 && busy != .off
          let keys = queue.committedOrder.prefix(crowded ? busy.batchLimit : batchLimit)
          queue.committedOrder.removeFirst(keys.count)
          jobs = keys.compactMap { queue.committed.removeValue(forKey: $0) }
          if crowded { jobs = jobs.map { busy.applied(to: $0) } }
        } else if !queue.previewOrder.isEmpty {
          let keys = queue.previewOrder.prefix(batchLimit)
          queue.previewOrder.removeFirst(keys.count)
          jobs = keys.compactMap { queue.previews.removeValue(forKey: $0) }
        }
        let running = jobs.map { job in
          let flag = CancelFlag()
          queue.running[job.key] = flag
          return (job, flag)
        }
        return (running, previews)
      }
      guard let taken else { return nil }
      if !taken.jobs.isEmpty { return taken }
    }
  }

  private func finish(_ taken: [(Job, CancelFlag)]) {
    queue.withLock { queue in
      for (job, flag) in taken where queue.running[job.key] === flag {
        queue.running[job.key] = nil
      }
    }
  }

  /// Jobs decoded together share an effort and whether they are progressive.
  private struct Group: Hashable {
    var effort: DecodeEffort
    var staged: Bool
  }

  private func work() {
    BLAS.useOneThreadPerCall()
    while let (taken, previews) = next() {
      defer { finish(taken) }
      var pending: [(job: Job, flag: CancelFlag, key: Data)] = []
      for (job, flag) in taken {
        let key = DecodeCache.key(job.latent, effort: job.effort, intents: job.intents)
        if let hit = cache.value(for: key) {
          stats.finished(cacheHit: true, seconds: 0)
          job.completion(.success(hit))
        } else {
          pending.append((job, flag, key))
        }
      }
      // One batched decode per effort and kind (normally all jobs share one).
      let groups = Dictionary(grouping: pending) {
        Group(effort: $0.job.effort, staged: $0.job.onStage != nil)
      }
      for (kind, group) in groups.sorted(by: { $0.key.effort.candidates < $1.key.effort.candidates }
      ) {
        let start = ContinuousClock.now
        let report: ((Int, StagedText) -> Void)? =
          kind.staged
          ? { index, stage in
            let entry = group[index]
            if !entry.flag.isCancelled { entry.job.onStage?(stage) }
          } : nil
        var preempted = false
        let results = decoder.decode(
          batch: group.map(\.job.latent), intents: group.map(\.job.intents), effort: kind.effort,
          shouldStop: {
            if group.allSatisfy(\.flag.isCancelled) { return true }
            preempted = preempted || (previews && committedWaiting)
            return preempted
          }, onStage: report)
        if group.allSatisfy(\.flag.isCancelled) {
          stats.cancelled(group.count)
          continue
        }
        if preempted {
          requeue(group.filter { !$0.flag.isCancelled }.map(\.job))
          continue
        }
        let seconds = (ContinuousClock.now - start).seconds
        logger.debug(
          "decoded a batch",
          metadata: [
            "jobs": "\(group.count)", "candidates": "\(kind.effort.candidates)",
            "previews": "\(previews)", "ms": "\(Int(seconds * 1000))",
            "waited-ms": "\(group.map { Int((start - $0.job.queuedAt).seconds * 1000) })",
          ])
        for (entry, result) in zip(group, results) {
          stats.finished(cacheHit: false, seconds: seconds / Double(group.count))
          if entry.flag.isCancelled { continue }  // superseded: its newer job will answer
          switch result {
          case .success(let decoded): cache.insert(decoded, for: entry.key)
          case .failure(let error):
            logger.warning(
              "decode failed", metadata: ["key": "\(entry.job.key)", "error": "\(error)"])
          }
          entry.job.completion(result)
        }
      }
    }
  }
}
