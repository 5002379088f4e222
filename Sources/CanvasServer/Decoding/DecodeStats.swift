import Synchronization

/// Set when a newer job for the same key arrives; read by the decoding thread.
final class CancelFlag: Sendable {
  private let cancelled = Atomic<Bool>(false)

  func cancel() { cancelled.store(true, ordering: .relaxed) }
  var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

/// Decode counters; thread-safe.
final class DecodeStats: Sendable {
  /// A consistent copy of the counters.
  struct Snapshot: Sendable {
    var depth = 0
    var maxDepth = 0
    var decodes = 0
    var cacheHits = 0
    var coalesced = 0
    var previewsRefused = 0
    var superseded = 0
    var cancelled = 0
    var preempted = 0
    var secondsSum = 0.0

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
        "latitude_decodes_total{outcome=\"preempted\"} \(preempted)",
        "latitude_decodes_total{outcome=\"preview_refused\"} \(previewsRefused)",
        "# HELP latitude_decode_seconds_sum Time spent decoding.",
        "# TYPE latitude_decode_seconds_sum counter", "latitude_decode_seconds_sum \(secondsSum)",
      ].joined(separator: "\n") + "\n"
    }
  }

  private let counters = Mutex(Snapshot())

  func queued(depth: Int) { counters.withLock { $0.maxDepth = max($0.maxDepth, depth) } }
  func coalesced() { counters.withLock { $0.coalesced += 1 } }
  func previewRefused() { counters.withLock { $0.previewsRefused += 1 } }
  func superseded() { counters.withLock { $0.superseded += 1 } }
  func cancelled(_ count: Int) { counters.withLock { $0.cancelled += count } }
  func preempted(_ count: Int) { counters.withLock { $0.preempted += count } }
  func finished(cacheHit: Bool, seconds: Double) {
    counters.withLock {
      if cacheHit { $0.cacheHits += 1 } else { $0.decodes += 1 }
      $0.secondsSum += seconds
    }
  }

  func snapshot(depth: Int) -> Snapshot {
    var copy = counters.withLock { $0 }
    copy.depth = depth
    return copy
  }
}
