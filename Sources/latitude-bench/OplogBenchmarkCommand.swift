import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Dispatch
import Foundation
import Synchronization
import Latent
import Logging

/// `latitude bench oplog`: durable appends through the store against bare SQLite inserts
/// of the same rows, then seeks and storage.
struct OplogBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "oplog",
    abstract: "Append, seek and storage figures for a large document of realistic moves.",
    discussion: """
      Appends --ops ops through CanvasStore's group commit (each op its own request, as
      from many clients) and, chunk by chunk in the same run, the same rows with bare
      batched SQLite INSERTs. Then times state(atSeq:) at random seqs.
      """)

  @Option(help: "Ops in the document.") var ops = 1_000_000
  @Option(help: "Nodes on the canvas.") var nodes = 500
  @Option(help: "Random seeks to time.") var seeks = 200
  @Option(help: "Folder for the two temporary databases (default: a new temp folder).")
  var dir: String?
  @Option(help: "Generator seed.") var seed: UInt64 = 42

  func run() throws {
    guard ops > nodes + 4, nodes > 0, seeks > 0 else {
      throw CLIError("need --ops > --nodes + 4, and positive --nodes and --seeks")
    }
    let folder = dir ?? NSTemporaryDirectory() + "/latitude-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let storePath = folder + "/bench-store.sqlite"
    let rawPath = folder + "/bench-raw.sqlite"
    for path in [storePath, rawPath] {
      for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
      }
    }
    defer {
      if dir == nil { try? FileManager.default.removeItem(atPath: folder) }
    }

    let configuration = StoreConfiguration()
    let store = try CanvasStore(
      path: storePath, configuration: configuration, logger: Logger(label: "latitude.bench"))
    let doc = DocumentID("bench")
    try store.createDocument(DocumentInfo(id: doc, title: "bench", createdAt: 0))
    let committer = GroupCommitter(store: store)
    let raw = try RawInsertBaseline(path: rawPath, configuration: configuration)

    var generator = SyntheticCanvas(seed: seed, nodes: nodes)
    var storeSeconds = 0.0
    var rawSeconds = 0.0
    let chunk = 50_000
    var done = 0
    log("appending \(ops) ops (\(nodes) nodes) to \(folder)")
    while done < ops {
      let batch = generator.next(min(chunk, ops - done))
      storeSeconds += try timeGroupCommit(batch, committer: committer, document: doc)
      let rows = RawInsertBaseline.rows(batch)
      let start = DispatchTime.now()
      try raw.insert(rows, batchSize: 4_096)
      rawSeconds += seconds(since: start)
      done += batch.count
      if done % 200_000 == 0 || done == ops {
        log(
          "  \(done) ops: store \(Int(Double(done) / storeSeconds)) ops/s, raw \(Int(Double(done) / rawSeconds)) rows/s"
        )
      }
    }
    committer.shutdown()
    try store.writePendingSnapshots()

    var random = SplitMix64(seed: seed &+ 1)
    var latencies: [Double] = []
    for _ in 0..<seeks {
      let target = Int64(random.next() % UInt64(ops)) + 1
      let start = DispatchTime.now()
      let state = try store.state(doc, atSeq: target)
      latencies.append(seconds(since: start) * 1000)
      precondition(state.maxLamport == UInt64(target), "seek landed on the wrong seq")
    }
    latencies.sort()
    let stats = try store.storageStats(doc)
    let appendRate = Double(ops) / storeSeconds
    let rawRate = Double(ops) / rawSeconds
    let result: [String: Double] = [
      "ops": Double(ops),
      "append_ops_per_s": appendRate.rounded(),
      "raw_insert_rows_per_s": rawRate.rounded(),
      "append_vs_raw": (appendRate / rawRate * 1000).rounded() / 1000,
      "seek_p50_ms": round3(percentile(latencies, 0.50)),
      "seek_p99_ms": round3(percentile(latencies, 0.99)),
      "peak_rss_mb": round3(peakResidentMegabytes()),
      "snapshot_bytes_ratio": round3(stats.snapshotRatio),
      "snapshots": Double(stats.snapshotCount),
    ]
    log(
      "append \(Int(appendRate)) ops/s = \(result["append_vs_raw"]!) × raw \(Int(rawRate)) rows/s")
    log(
      "seek p50 \(result["seek_p50_ms"]!) ms, p99 \(result["seek_p99_ms"]!) ms over \(seeks) seeks")
    log(
      "snapshots \(stats.snapshotCount), \(stats.snapshotBytes >> 20) MiB = \(result["snapshot_bytes_ratio"]!) × op log \(stats.opBytes >> 20) MiB"
    )
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    writeOut(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n")
  }
}

private func seconds(since start: DispatchTime) -> Double { secondsSince(start) }

private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

private func log(_ message: String) { benchLog(message) }
