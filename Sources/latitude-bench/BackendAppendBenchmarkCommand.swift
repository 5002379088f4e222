import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Foundation
import Logging

/// `latitude bench oplog-backends`: the same durable appends through CanvasStore's group
/// commit on SQLite and on PostgreSQL, interleaved chunk by chunk in one run.
struct BackendAppendBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "oplog-backends",
    abstract: "Group-commit append rate on SQLite and on PostgreSQL, same generator, same run.",
    discussion: """
      Each op is its own request (as from many clients). Chunks of --chunk ops alternate
      between the two stores, so both see the same machine load. The PostgreSQL store holds
      the document's lease as a node would (every transaction checks it: the fencing cost
      is included). Last line of stdout: one JSON object.
      """)

  @Option(help: "PostgreSQL URL (a database the benchmark may write to).") var postgres: String
  @Option(help: "Ops per store.") var ops = 200_000
  @Option(help: "Ops per chunk; chunks alternate between the stores.") var chunk = 20_000
  @Option(help: "Nodes on the canvas.") var nodes = 500
  @Option(help: "Folder for the SQLite file (default: a new temp folder).") var dir: String?
  @Option(help: "Generator seed.") var seed: UInt64 = 42

  func run() throws {
    guard ops > nodes + 4, nodes > 0, chunk > 0, chunk <= 100_000 else {
      throw CLIError("need --ops > --nodes + 4, positive --nodes, and --chunk in 1...100000")
    }
    let folder = dir ?? NSTemporaryDirectory() + "/latitude-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let logger = Logger(label: "latitude.bench")
    let doc = DocumentID("bench-\(UUID().uuidString.prefix(8))")
    let stores = [
      ("sqlite", try CanvasStore(path: folder + "/bench.sqlite", logger: logger)),
      ("postgres", try CanvasStore(location: .postgres(postgres), logger: logger)),
    ]
    var committers: [GroupCommitter] = []
    for (_, store) in stores {
      try store.createDocument(DocumentInfo(id: doc, title: "bench", createdAt: 0))
      committers.append(GroupCommitter(store: store))
    }
    var generators = stores.map { _ in SyntheticCanvas(seed: seed, nodes: nodes) }
    var seconds = [0.0, 0.0]
    var done = 0
    benchLog("appending \(ops) ops to each of SQLite (\(folder)) and PostgreSQL")
    while done < ops {
      let count = min(chunk, ops - done)
      for index in stores.indices {
        let batch = generators[index].next(count)
        seconds[index] += try timeGroupCommit(batch, committer: committers[index], document: doc)
      }
      done += count
      benchLog(
        "  \(done) ops: sqlite \(Int(Double(done) / seconds[0])) ops/s, postgres \(Int(Double(done) / seconds[1])) ops/s"
      )
    }
    for committer in committers { committer.shutdown() }
    for (name, store) in stores where try store.requireDocument(doc).headSeq != Int64(ops) {
      throw CLIError("\(name) holds \(try store.requireDocument(doc).headSeq) ops, not \(ops)")
    }
    stores[1].1.ownership?.release(doc)
    let sqliteRate = Double(ops) / seconds[0]
    let postgresRate = Double(ops) / seconds[1]
    let result: [String: Double] = [
      "ops": Double(ops),
      "sqlite_append_ops_per_s": sqliteRate.rounded(),
      "pg_append_ops_per_s": postgresRate.rounded(),
      "pg_vs_sqlite": (postgresRate / sqliteRate * 1000).rounded() / 1000,
    ]
    benchLog(
      "postgres \(Int(postgresRate)) ops/s = \(result["pg_vs_sqlite"]!) × sqlite \(Int(sqliteRate)) ops/s"
    )
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    writeOut(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n")
  }
}
