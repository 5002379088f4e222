import CanvasStore
import Foundation
import Latent
import Synchronization

/// Counters and a commit-latency histogram, rendered as Prometheus text at /metrics.
final class ServerMetrics: Sendable {
  /// Upper bounds (seconds) of the commit-latency buckets.
  static let buckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

  private struct Counters {
    var committed = 0
    var rejected = 0
    var failed = 0
    var framesIn = 0
    var bucketCounts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
    var latencySum = 0.0
    var latencyCount = 0
  }

  private let counters = Mutex(Counters())

  func recordFrame() { counters.withLock { $0.framesIn += 1 } }

  func recordCommit(_ latency: Duration, result: Result<[AppendOutcome], StoreError>) {
    let seconds = latency.seconds
    counters.withLock { c in
      switch result {
      case .failure: c.failed += 1
      case .success(let outcomes):
        for outcome in outcomes {
          if case .rejected = outcome { c.rejected += 1 } else { c.committed += 1 }
        }
      }
      c.latencySum += seconds
      c.latencyCount += 1
      for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
        c.bucketCounts[index] += 1
      }
    }
  }

  /// Prometheus text exposition format.
  func render(connections: Int, rooms: Int, commitQueueOps: Int, sendQueueBytes: Int) -> String {
    let c = counters.withLock { $0 }
    let (framesIn, committed, rejected, failed) = (c.framesIn, c.committed, c.rejected, c.failed)
    let (bucketCounts, latencyCount, latencySum) = (c.bucketCounts, c.latencyCount, c.latencySum)
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
