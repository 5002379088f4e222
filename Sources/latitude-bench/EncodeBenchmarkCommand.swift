import CommandSupport
import ArgumentParser
import Dispatch
import Foundation
import Latent

/// `latitude bench encode`: the Swift encoder's latency and throughput, set against the
/// reference runtimes measured by python/latitude_tools/bench/encode_reference.py in the same run.
struct EncodeBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "encode",
    abstract: "Encoder latency and throughput; ratios against ONNX Runtime from --reference.",
    discussion: """
      Normally run by `make bench-encode`, which first measures ONNX Runtime and
      sentence-transformers on the same sentences and thread count, writing --reference and
      --reference-embeddings.
      """)

  @Option(help: "Sentences, one per line.") var sentences: String
  @Option(help: "Threads, for single-sentence latency and for batch throughput.") var threads = 2
  @Option(help: "Single-sentence latency samples.") var latencySamples = 300
  @Option(help: "JSON results of the reference runtimes.") var reference: String?
  @Option(help: ".npy of sentence-transformers embeddings of the same sentences.")
  var referenceEmbeddings: String?
  @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory

  func run() throws {
    BLAS.useOneThreadPerCall()
    let encoder = try SentenceEncoder(directory: weights)
    let texts = try String(contentsOfFile: sentences, encoding: .utf8)
      .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    guard !texts.isEmpty else { throw CLIError("no sentences in \(sentences)") }
    benchLog(
      "encoding \(texts.count) sentences on \(threads) threads (OpenBLAS \(BLASKernel.coreName))")
    for text in texts.prefix(20) { _ = encoder.encode(text, threads: threads) }

    var latencies: [Double] = []
    for text in texts.prefix(latencySamples) {
      let start = DispatchTime.now()
      _ = encoder.encode(text, threads: threads)
      latencies.append(secondsSince(start) * 1000)
    }
    latencies.sort()

    var best = (batch: 0, perSecond: 0.0)
    for batch in [4, 8, 16, 32, 64] {
      let start = DispatchTime.now()
      _ = encoder.encode(texts, batchSize: batch, threads: threads)
      let perSecond = Double(texts.count) / secondsSince(start)
      benchLog("  batch \(batch): \(Int(perSecond)) sentences/s")
      if perSecond > best.perSecond { best = (batch, perSecond) }
    }

    var result: [String: Double] = [
      "sentences": Double(texts.count),
      "threads": Double(threads),
      "swift_p50_ms": rounded(percentile(latencies, 0.5)),
      "swift_p99_ms": rounded(percentile(latencies, 0.99)),
      "swift_per_s": best.perSecond.rounded(),
      "swift_best_batch": Double(best.batch),
    ]
    if let referenceEmbeddings {
      let reference = try NumpyFile.readMatrix(referenceEmbeddings)
      let mine = encoder.encode(texts, batchSize: best.batch, threads: threads)
      guard reference.rows == mine.count, reference.columns == encoder.dimension else {
        throw CLIError(
          "reference embeddings are \(reference.rows)×\(reference.columns); expected \(mine.count)×\(encoder.dimension)"
        )
      }
      var worst: Float = 0
      for (row, vector) in mine.enumerated() {
        for (column, value) in vector.enumerated() {
          worst = max(worst, abs(value - reference[row, column]))
        }
      }
      result["max_abs_diff_vs_reference"] = Double(worst)
    }
    if let reference {
      let data = try Data(contentsOf: URL(fileURLWithPath: reference))
      let others = try JSONDecoder().decode([String: Double].self, from: data)
      result.merge(others) { mine, _ in mine }
      if let ortLatency = others["ort_p50_ms"], let ortRate = others["ort_per_s"] {
        result["latency_ratio_vs_ort"] = rounded(percentile(latencies, 0.5) / ortLatency)
        result["throughput_ratio_vs_ort"] = rounded(best.perSecond / ortRate)
      }
    }
    benchLog(
      "swift p50 \(result["swift_p50_ms"]!) ms, \(Int(best.perSecond))/s (batch \(best.batch))")
    let encoder2 = JSONEncoder()
    encoder2.outputFormatting = [.sortedKeys]
    writeOut(String(decoding: try encoder2.encode(result), as: UTF8.self) + "\n")
  }

  private func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
