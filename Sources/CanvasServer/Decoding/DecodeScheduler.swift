import Foundation
import Latent
import Logging

/// Runs decodes for every room on a fixed pool of worker threads (cores − 1, at least one,
/// each with single-threaded BLAS), so the libwebsockets service thread is never starved.
///
/// Jobs coalesce by key (one per node): a newer job for a node replaces the one still
/// waiting, so the newest move wins and a burst of moves costs one decode. Committed moves
/// run before previews. Previews are bounded: when `previewCapacity` are waiting, new
/// preview keys are refused (the caller simply shows no preview). Committed jobs are never
/// refused; their number is bounded by the number of nodes being moved.
final class DecodeScheduler: @unchecked Sendable {
  /// One decode request.
  struct Job {
    var key: String
    var latent: [Float]
    var candidates: Int
    var completion: @Sendable (Result<DecodeResult, DecoderError>) -> Void
  }

  let decoder: LatentDecoder
  let workers: Int
  /// Jobs one worker decodes together (rows of one batch share the weight traffic).
  let batchLimit: Int
  private let cache: DecodeCache
  private let previewCapacity: Int
  private let condition = NSCondition()
  private var committed: [String: Job] = [:]
  private var committedOrder: [String] = []
  private var previews: [String: Job] = [:]
  private var previewOrder: [String] = []
  private var stopping = false
  /// Keys being decoded now, with a flag a newer job for the same key sets: the running
  /// decode then stops early and its result is dropped (the newer job answers instead).
  private var running: [String: CancelFlag] = [:]
  private let logger: Logger
  private let stats = DecodeStats()

  init(
    decoder: LatentDecoder, workers: Int, cacheCapacity: Int = 2048, previewCapacity: Int = 64,
    batchLimit: Int = 4, logger: Logger
  ) {
    self.decoder = decoder
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

  /// The default pool size: one core is left to the service thread and the rooms.
  static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

  /// Queues a decode of a committed latent write. Replaces a waiting job with the same key.
  func submit(_ job: Job) {
    condition.lock()
    running[job.key]?.cancel()
    if committed.updateValue(job, forKey: job.key) == nil {
      committedOrder.append(job.key)
    } else {
      stats.coalesced()
    }
    stats.queued(depth: committed.count + previews.count)
    condition.signal()
    condition.unlock()
  }

  /// Queues a preview decode. Returns false when the preview queue is full.
  @discardableResult
  func submitPreview(_ job: Job) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    running[job.key]?.cancel()
    if previews[job.key] != nil {
      previews[job.key] = job
      stats.coalesced()
      return true
    }
    guard previews.count < previewCapacity else {
      stats.previewRefused()
      return false
    }
    previews[job.key] = job
    previewOrder.append(job.key)
    stats.queued(depth: committed.count + previews.count)
    condition.signal()
    return true
  }

  /// Stops the workers after the jobs they hold (queued jobs are dropped).
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// Records a result dropped because its write was superseded.
  func noteSuperseded() { stats.superseded() }

  /// Counters for /metrics.
  var snapshot: DecodeStats.Snapshot {
    condition.lock()
    let depth = committed.count + previews.count
    condition.unlock()
    return stats.snapshot(depth: depth)
  }

  /// Up to `batchLimit` jobs to decode together: committed ones first, else previews.
  private func next() -> [Job]? {
    condition.lock()
    defer { condition.unlock() }
    while !stopping {
      if !committedOrder.isEmpty {
        let keys = committedOrder.prefix(batchLimit)
        committedOrder.removeFirst(keys.count)
        return keys.compactMap { committed.removeValue(forKey: $0) }
      }
      if !previewOrder.isEmpty {
        let keys = previewOrder.prefix(batchLimit)
        previewOrder.removeFirst(keys.count)
        return keys.compactMap { previews.removeValue(forKey: $0) }
      }
      condition.wait()
    }
    return nil
  }

  private func work() {
    BLAS.useOneThreadPerCall()
    while let jobs = next() {
      var pending: [(Job, Data)] = []
      for job in jobs {
        let key = DecodeCache.key(job.latent, candidates: job.candidates)
        if let hit = cache.value(for: key) {
          stats.finished(cacheHit: true, seconds: 0)
          job.completion(.success(hit))
        } else {
          pending.append((job, key))
        }
      }
      // One batched decode per candidate count (normally all jobs share one).
      for candidates in Set(pending.map { $0.0.candidates }).sorted() {
        let group = pending.filter { $0.0.candidates == candidates }
        let flags = register(group.map { $0.0.key })
        defer { unregister(group.map { $0.0.key }, flags) }
        let start = ContinuousClock.now
        let results = decoder.decode(
          batch: group.map { $0.0.latent }, candidates: candidates,
          shouldStop: { flags.allSatisfy(\.isCancelled) })
        if flags.allSatisfy(\.isCancelled) {
          stats.cancelled(group.count)
          continue
        }
        let seconds = (ContinuousClock.now - start).seconds
        for (((job, key), result), flag) in zip(zip(group, results), flags) {
          stats.finished(cacheHit: false, seconds: seconds / Double(group.count))
          if flag.isCancelled { continue }  // superseded: its newer job will answer
          if case .success(let decoded) = result {
            cache.insert(decoded, for: key)
          } else if case .failure(let error) = result {
            logger.warning("decode failed", metadata: ["key": "\(job.key)", "error": "\(error)"])
          }
          job.completion(result)
        }
      }
    }
  }
}

extension DecodeScheduler {
  fileprivate func register(_ keys: [String]) -> [CancelFlag] {
    condition.lock()
    defer { condition.unlock() }
    return keys.map { key in
      let flag = CancelFlag()
      running[key] = flag
      return flag
    }
  }

  fileprivate func unregister(_ keys: [String], _ flags: [CancelFlag]) {
    condition.lock()
    defer { condition.unlock() }
    for (key, flag) in zip(keys, flags) where running[key] === flag { running[key] = nil }
  }
}

/// Set when a newer job for the same key arrives; read by the decoding thread.
final class CancelFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false
  func cancel() {
    lock.lock()
    cancelled = true
    lock.unlock()
  }
  var isCancelled: Bool {
    lock.lock()
    defer { lock.unlock() }
    return cancelled
  }
}

/// Decode counters; thread-safe.
final class DecodeStats: @unchecked Sendable {
  /// A consistent copy of the counters.
  struct Snapshot {
    var depth: Int
    var maxDepth: Int
    var decodes: Int
    var cacheHits: Int
    var coalesced: Int
    var previewsRefused: Int
    var superseded: Int
    var cancelled: Int
    var secondsSum: Double

    /// Prometheus text lines.
    var prometheus: String {
      [
        "# HELP latitude_decode_queue Decode jobs waiting.", "# TYPE latitude_decode_queue gauge",
        "latitude_decode_queue \(depth)",
        "# HELP latitude_decode_queue_max Largest decode queue seen.",
        "# TYPE latitude_decode_queue_max gauge", "latitude_decode_queue_max \(maxDepth)",
        "# HELP latitude_decodes_total Decodes by outcome.",
        "# TYPE latitude_decodes_total counter",
        "latitude_decodes_total{outcome=\"decoded\"} \(decodes)",
        "latitude_decodes_total{outcome=\"cache_hit\"} \(cacheHits)",
        "latitude_decodes_total{outcome=\"coalesced\"} \(coalesced)",
        "latitude_decodes_total{outcome=\"superseded\"} \(superseded)",
        "latitude_decodes_total{outcome=\"cancelled\"} \(cancelled)",
        "latitude_decodes_total{outcome=\"preview_refused\"} \(previewsRefused)",
        "# HELP latitude_decode_seconds_sum Time spent decoding.",
        "# TYPE latitude_decode_seconds_sum counter", "latitude_decode_seconds_sum \(secondsSum)",
      ].joined(separator: "\n") + "\n"
    }
  }

  private let lock = NSLock()
  private var maxDepth = 0
  private var decodes = 0
  private var cacheHits = 0
  private var coalescedCount = 0
  private var refused = 0
  private var supersededCount = 0
  private var cancelledCount = 0
  private var secondsSum = 0.0

  func queued(depth: Int) { locked { maxDepth = max(maxDepth, depth) } }
  func coalesced() { locked { coalescedCount += 1 } }
  func previewRefused() { locked { refused += 1 } }
  func superseded() { locked { supersededCount += 1 } }
  func cancelled(_ count: Int) { locked { cancelledCount += count } }
  func finished(cacheHit: Bool, seconds: Double) {
    locked {
      if cacheHit { cacheHits += 1 } else { decodes += 1 }
      secondsSum += seconds
    }
  }

  func snapshot(depth: Int) -> Snapshot {
    lock.lock()
    defer { lock.unlock() }
    return Snapshot(
      depth: depth, maxDepth: maxDepth, decodes: decodes, cacheHits: cacheHits,
      coalesced: coalescedCount, previewsRefused: refused, superseded: supersededCount,
      cancelled: cancelledCount, secondsSum: secondsSum)
  }

  private func locked(_ body: () -> Void) {
    lock.lock()
    body()
    lock.unlock()
  }
}
