import CanvasStore
import Foundation
import Latent

/// Counters and a commit-latency histogram, rendered as Prometheus text at /metrics.
final class ServerMetrics: @unchecked Sendable {
  private let lock = NSLock()
  private var committed = 0
  private var rejected = 0
  private var failed = 0
  private var framesIn = 0
  /// Upper bounds (seconds) of the commit-latency buckets.
  static let buckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
  private var bucketCounts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
  private var latencySum = 0.0
  private var latencyCount = 0

  func recordFrame() {
    lock.lock()
    framesIn += 1
    lock.unlock()
  }

  func recordCommit(_ latency: Duration, result: Result<[AppendOutcome], StoreError>) {
    let seconds = latency.seconds
    lock.lock()
    defer { lock.unlock() }
    switch result {
    case .failure: failed += 1
    case .success(let outcomes):
      for outcome in outcomes {
        if case .rejected = outcome { rejected += 1 } else { committed += 1 }
      }
    }
    latencySum += seconds
    latencyCount += 1
    for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
      bucketCounts[index] += 1
    }
  }

  /// Prometheus text exposition format.
  func render(connections: Int, rooms: Int, commitQueueOps: Int, sendQueueBytes: Int) -> String {
    lock.lock()
    defer { lock.unlock() }
    var lines = [
      "# HELP latitude_connections Open WebSocket connections.",
      "# TYPE latitude_connections gauge",
      "latitude_connections \(connections)",
      "# HELP latitude_rooms Documents loaded in memory.", "# TYPE latitude_rooms gauge",
      "latitude_rooms \(rooms)",
      "# HELP latitude_commit_queue_ops Ops waiting for the group commit.",
      "# TYPE latitude_commit_queue_ops gauge", "latitude_commit_queue_ops \(commitQueueOps)",
      "# HELP latitude_send_queue_bytes Bytes waiting in connection send queues.",
      "# TYPE latitude_send_queue_bytes gauge", "latitude_send_queue_bytes \(sendQueueBytes)",
      "# HELP latitude_frames_received_total Client frames received.",
      "# TYPE latitude_frames_received_total counter", "latitude_frames_received_total \(framesIn)",
      "# HELP latitude_ops_total Client ops by outcome.", "# TYPE latitude_ops_total counter",
      "latitude_ops_total{outcome=\"committed\"} \(committed)",
      "latitude_ops_total{outcome=\"rejected\"} \(rejected)",
      "latitude_ops_total{outcome=\"failed\"} \(failed)",
      "# HELP latitude_commit_seconds Time from submit to durable commit.",
      "# TYPE latitude_commit_seconds histogram",
    ]
    for (bound, count) in zip(Self.buckets, bucketCounts) {
      lines.append("latitude_commit_seconds_bucket{le=\"\(bound)\"} \(count)")
    }
    lines += [
      "latitude_commit_seconds_bucket{le=\"+Inf\"} \(latencyCount)",
      "latitude_commit_seconds_sum \(latencySum)", "latitude_commit_seconds_count \(latencyCount)",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
